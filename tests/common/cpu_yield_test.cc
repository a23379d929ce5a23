#include "common/cpu_yield.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

namespace shortlink {
namespace {

void Spin(std::chrono::microseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
}

}  // namespace

TEST_CASE("CpuYield yields once a slice of work has passed, never sooner") {
  CpuYield cpu_yield(std::chrono::milliseconds(200));
  for (int i = 0; i < 64 * 10; ++i) cpu_yield.Tick();  // well within the slice
  CHECK(cpu_yield.yields() == 0);

  Spin(std::chrono::milliseconds(210));
  for (int i = 0; i < 63; ++i) cpu_yield.Tick();
  CHECK(cpu_yield.yields() == 0);  // the clock is read once per 64 ticks
  cpu_yield.Tick();
  CHECK(cpu_yield.yields() == 1);

  for (int i = 0; i < 64; ++i) cpu_yield.Tick();  // a new slice began at the yield
  CHECK(cpu_yield.yields() == 1);
}

TEST_CASE("CpuYield's Restart begins a new slice") {
  CpuYield cpu_yield(std::chrono::milliseconds(200));
  Spin(std::chrono::milliseconds(210));
  cpu_yield.Restart();
  for (int i = 0; i < 64; ++i) cpu_yield.Tick();
  CHECK(cpu_yield.yields() == 0);
}

TEST_CASE("CpuYield paced sleeps its pause after each slice, unless told to hurry") {
  using std::chrono::milliseconds;
  CpuYield cpu_yield;
  std::atomic<bool> hurry{false};
  cpu_yield.Pace(std::chrono::microseconds(1000), std::chrono::microseconds(30'000), &hurry);

  Spin(milliseconds(2));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 64; ++i) cpu_yield.Tick();
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(30));  // slept the pause
  CHECK(cpu_yield.yields() == 1);

  // Someone waits for the work: a yield, not a sleep. The pause is long, so
  // a loaded machine cannot make a yield look like one.
  cpu_yield.Pace(std::chrono::microseconds(1000), std::chrono::microseconds(5'000'000), &hurry);
  hurry = true;
  Spin(milliseconds(2));
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < 64; ++i) cpu_yield.Tick();
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(2500));
  CHECK(cpu_yield.yields() == 2);
}

TEST_CASE("CpuYield paced hurries once its HurryFrom time has come, and Poll checks at once") {
  using std::chrono::milliseconds;
  CpuYield cpu_yield;
  cpu_yield.Pace(std::chrono::microseconds(1000), std::chrono::microseconds(30'000));
  cpu_yield.HurryFrom(std::chrono::steady_clock::now() + milliseconds(1000));

  Spin(milliseconds(2));
  auto start = std::chrono::steady_clock::now();
  cpu_yield.Poll();                                                     // no 64 ticks needed
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(30));  // before the time: slept
  CHECK(cpu_yield.yields() == 1);

  // Past the time: a yield. The pause is long, so a loaded machine cannot
  // make a yield look like one.
  cpu_yield.Pace(std::chrono::microseconds(1000), std::chrono::microseconds(5'000'000));
  cpu_yield.HurryFrom(std::chrono::steady_clock::now());
  Spin(milliseconds(2));
  start = std::chrono::steady_clock::now();
  cpu_yield.Poll();
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(2500));
  CHECK(cpu_yield.yields() == 2);

  // Pace starts over without a time: paced again.
  cpu_yield.Pace(std::chrono::microseconds(1000), std::chrono::microseconds(30'000));
  Spin(milliseconds(2));
  start = std::chrono::steady_clock::now();
  cpu_yield.Poll();
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(30));
}

TEST_CASE("LowerThisThreadPriority sets nice 10 on the calling thread alone") {
  int main_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  int lowered = 0;
  std::thread([&] {
    LowerThisThreadPriority();
    lowered = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  }).join();
  CHECK(lowered >= 10);  // above 10 already (run under nice): left as it was
  CHECK(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())) == main_nice);
}

}  // namespace shortlink
