#include "common/cpu_yield.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <thread>

namespace shortlink {

CpuYield::CpuYield(std::chrono::microseconds slice)
    : unpaced_slice_(slice), slice_(slice), slice_start_(std::chrono::steady_clock::now()) {}

void CpuYield::Restart() { slice_start_ = std::chrono::steady_clock::now(); }

void CpuYield::Pace(std::chrono::microseconds slice, std::chrono::microseconds pause,
                    const std::atomic<bool>* hurry) {
  slice_ = slice;
  pause_ = pause;
  hurry_ = hurry;
  hurry_from_ = std::chrono::steady_clock::time_point::max();
}

void CpuYield::SetPaced(bool paced, const std::atomic<bool>* hurry) {
  if (paced)
    Pace(kPacedSlice, kPacedPause, hurry);
  else
    Pace(unpaced_slice_, std::chrono::microseconds(0));
}

void CpuYield::Check() {
  auto now = std::chrono::steady_clock::now();
  if (now - slice_start_ < slice_) return;
  bool hurried = (hurry_ && hurry_->load(std::memory_order_relaxed)) || now >= hurry_from_;
  if (pause_.count() > 0 && !hurried)
    std::this_thread::sleep_for(pause_);
  else
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
