// Counting clicks on the hot path without shared writes.
//
// Each worker thread owns a ThreadClicks. Record() adds to the thread's
// active ClickTable: a fixed-capacity open-addressing table allocated up
// front, so counting never allocates. About once a second the worker calls
// Tick(), which hands the active table over (an atomic pointer exchange)
// and takes a spare one; the click flusher's collector thread drains the
// full table and returns it as the next spare. Just before each flush the
// flusher also asks for the table (RequestHandover), so a click waits at
// most one flush interval to leave the process, whatever the phase of the
// worker's timer.
// Per click the worker reads one flag the flusher writes once a second;
// its own writes to shared atomics happen in Tick() only.
//
// Thread safety: Record/RecordBot/Tick on the owning worker thread only;
// TakeFull/ReturnSpare on one collecting thread only; RequestHandover and
// counters from any thread.
// TakeActiveAfterStop only once the worker thread has exited (joined).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/protocol.h"

namespace shortlink::redirector {

class ClickTable {
 public:
  static constexpr size_t kCapacity = 1 << 14;  // distinct codes per thread per interval
  static constexpr size_t kMaxCode = kMaxCodeLength;

  ClickTable();
  // Adds one click; false when the table is full (3/4 of kCapacity).
  bool Add(std::string_view code);
  // visit(std::string_view code, uint64_t count) for the codes in slots
  // [begin, end): a table can be drained in parts.
  template <typename F>
  void ForEachIn(size_t begin, size_t end, F&& visit) const {
    for (size_t i = begin; i < end && i < kCapacity; ++i) {
      if (slots_[i].count)
        visit(std::string_view(slots_[i].code, slots_[i].length), slots_[i].count);
    }
  }
  void Clear();
  size_t size() const { return used_; }

 private:
  struct Slot {
    uint32_t count;
    uint32_t hash;
    uint8_t length;
    char code[kMaxCode];
  };
  std::unique_ptr<Slot[]> slots_;
  size_t used_ = 0;
};

class ThreadClicks {
 public:
  ThreadClicks();
  ~ThreadClicks();

  // Worker thread.
  void Record(std::string_view code);
  void RecordBot() {
    bot_hits_.store(bot_hits_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void Tick();  // hand the active table over if the collector took the last one

  // Any thread (the flusher): the next Record() hands the active table over.
  void RequestHandover() { handover_wanted_.store(true, std::memory_order_relaxed); }

  // Collecting thread: the table handed over, or null; give it back cleared.
  ClickTable* TakeFull() { return full_.exchange(nullptr, std::memory_order_acquire); }
  void ReturnSpare(ClickTable* table);

  // Shutdown: the worker's active table, handed over as Tick() would, or
  // null when it holds nothing. Give it back with ReturnSpare(). Only valid
  // once the worker thread has exited (and was joined, so its writes are
  // visible): it touches the worker's own table. At most one table is
  // allocated here, when the spare is still out.
  ClickTable* TakeActiveAfterStop();

  // Any thread, for metrics. Single-writer counters: relaxed loads suffice.
  uint64_t clicks() const { return clicks_.load(std::memory_order_relaxed); }
  uint64_t bot_hits() const { return bot_hits_.load(std::memory_order_relaxed); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  void Bump(std::atomic<uint64_t>& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  ClickTable* active_;
  std::atomic<ClickTable*> full_{nullptr};
  std::atomic<ClickTable*> spare_;
  std::atomic<uint64_t> clicks_{0};
  std::atomic<uint64_t> bot_hits_{0};
  std::atomic<uint64_t> dropped_{0};  // a full table with no spare: counted, never silent
  // Its own cache line: the worker reads it per click, the flusher writes it.
  alignas(64) std::atomic<bool> handover_wanted_{false};
};

}  // namespace shortlink::redirector
