#include "common/cpu_yield.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

namespace shortlink {

CpuYield::CpuYield(std::chrono::microseconds slice)
    : slice_(slice), slice_start_(std::chrono::steady_clock::now()) {}

void CpuYield::Restart() { slice_start_ = std::chrono::steady_clock::now(); }

void CpuYield::Check() {
  auto now = std::chrono::steady_clock::now();
  if (now - slice_start_ < slice_) return;
  sched_yield();
  ++yields_;
  slice_start_ = std::chrono::steady_clock::now();
}

void LowerThisThreadPriority() {
  constexpr int kBackgroundNice = 10;
  // On Linux, PRIO_PROCESS with a thread id sets that thread's nice alone.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kBackgroundNice);
}

}  // namespace shortlink
