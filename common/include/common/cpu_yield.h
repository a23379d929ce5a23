// CpuYield: lets a background thread that works through a long stretch of
// CPU (admin-api applying a click batch that names 50,000 links, folding the
// click log, a node encoding its batch) hand its core to whatever else waits
// for it every `slice`.
//
// Why: under Linux's EEVDF scheduler a thread that wakes up on a busy core
// waits until the running one has used its time slice (3 ms on 2 cores),
// whatever their nice values. With the whole system on one machine (the
// quickstart's layout, issue 23), an edge worker or the load generator
// waiting behind a 40 ms batch apply got 3 ms answers: the redirect p99.
// sched_yield() puts the caller behind every runnable thread of its core, so
// the worker waits about one `slice` instead; with nothing else runnable it
// returns at once, and the batch takes no longer.
//
// sched_yield() is not always enough: it hands the core only to a thread
// the scheduler deems owed CPU (EEVDF: "eligible"), and one that keeps its
// core busy (a load generator; a saturated edge worker) never is, so the
// yielding thread runs on. Paced (Pace), a thread sleeps instead: whatever
// waits for its core runs, whether owed CPU or not. admin-api paces click
// work while it keeps up with the stream (nodes/click_consumer.h): on the
// quickstart's shared machine this made the live bench's p99 2-3x lower
// (bench/RESULTS.md, notes item 21).
//
// Cheap enough to call per item: it reads the clock once every 64 calls.
// One per thread; not thread-safe (but `hurry`, below, may be set by any).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace shortlink {

class CpuYield {
 public:
  static constexpr std::chrono::microseconds kDefaultSlice{200};
  // Pacing for background work beside request threads: 50 us of CPU, then
  // 200 us asleep (the best of the variants in bench/RESULTS.md item 21).
  static constexpr std::chrono::microseconds kPacedSlice{50};
  static constexpr std::chrono::microseconds kPacedPause{200};

  explicit CpuYield(std::chrono::microseconds slice = kDefaultSlice);

  // Call once per unit of work.
  void Tick() {
    if ((++calls_ & 63) == 0) Check();
  }
  // Reads the clock now, for work in units too large to tick per item, or
  // between stretches done under a lock (so the pause is not spent in it).
  void Poll() { Check(); }
  // Starts a new slice (after the thread slept, say).
  void Restart();
  // From now on: `slice` of work, then sleep `pause`; a zero pause yields
  // instead (the constructor's way). While `*hurry` (when given) is true, a
  // paced thread yields too: someone waits for the work to end.
  void Pace(std::chrono::microseconds slice, std::chrono::microseconds pause,
            const std::atomic<bool>* hurry = nullptr);
  // Paced by kPacedSlice and kPacedPause, or back to the constructor's slice
  // and yields.
  void SetPaced(bool paced, const std::atomic<bool>* hurry = nullptr);
  // From `when` on, a paced thread hurries (yields, not sleeps): for work
  // with a deadline, such as a node's collector that must hand a worker its
  // spare table before the worker fills the one it has. Cleared by Pace.
  void HurryFrom(std::chrono::steady_clock::time_point when) { hurry_from_ = when; }
  uint64_t yields() const { return yields_; }

 private:
  void Check();

  const std::chrono::microseconds unpaced_slice_;  // the constructor's
  std::chrono::steady_clock::duration slice_;
  std::chrono::microseconds pause_{0};
  const std::atomic<bool>* hurry_ = nullptr;
  std::chrono::steady_clock::time_point hurry_from_ = std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::time_point slice_start_;
  uint64_t calls_ = 0;
  uint64_t yields_ = 0;
};

// Gives the calling thread nice 10, for threads whose work can wait a few
// milliseconds (applying and carrying clicks) that share cores with request
// threads and the load that measures them. A yield hands the core over only
// to a thread the scheduler deems owed CPU (EEVDF: "eligible"); a client
// that keeps its core busy never is, and a nice-0 batch thread then keeps
// that core for ~2.5 ms stretches (issue 23 saw them in wrk's core). At
// nice 10 a stretch ends ~9x sooner, and such a thread still gets ~10% of a
// contended core, well above what clicks need. Raising nice needs no
// privilege; a failure (seccomp, say) leaves the thread as it was.
void LowerThisThreadPriority();

}  // namespace shortlink
