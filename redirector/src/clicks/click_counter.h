// Counting clicks on the hot path without shared writes.
//
// A click is counted by the link's (domain, code). Slots hold the code
// (up to kMaxCodeLength) and a one-byte index into the table's own list of
// the domains it has seen this interval (0: the default domain), so a slot
// is no larger than before domains (76 bytes) and a table of 16,384 slots
// stays about 1.2 MiB. The list holds kMaxDomains names of up to 253 bytes
// (16 KiB, allocated with the table): a table whose list is full is full,
// and is handed over like one whose slots are (an interval rarely sees
// more than a few custom domains per worker).
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

#include "clicks/visit_ring.h"
#include "common/protocol.h"
#include "common/validation.h"

namespace shortlink::redirector {

class ClickTable {
 public:
  static constexpr size_t kCapacity = 1 << 14;  // distinct codes per thread per interval
  static constexpr size_t kMaxCode = kMaxCodeLength;
  static constexpr size_t kMaxDomains = 63;  // custom domains per table per interval
  static constexpr size_t kMaxDomain = kMaxDomainLength;

  ClickTable();
  // Adds one click on (domain, code); `domain` empty is the default domain.
  // False when the table is full (3/4 of kCapacity, or kMaxDomains domains).
  bool Add(std::string_view domain, std::string_view code);
  bool Add(std::string_view code) { return Add({}, code); }
  // visit(std::string_view domain, std::string_view code, uint64_t count)
  // for the links in slots [begin, end): a table can be drained in parts.
  template <typename F>
  void ForEachIn(size_t begin, size_t end, F&& visit) const {
    for (size_t i = begin; i < end && i < kCapacity; ++i) {
      const Slot& s = slots_[i];
      if (s.count) visit(DomainAt(s.domain), std::string_view(s.code, s.length), s.count);
    }
  }
  void Clear();
  size_t size() const { return used_; }

 private:
  struct Slot {
    uint32_t count;
    uint32_t hash;
    uint8_t length;
    uint8_t domain;  // 0: the default domain; else domains_[domain - 1]
    char code[kMaxCode];
  };
  struct Domain {
    uint8_t length;
    char name[kMaxDomain];
  };
  // The index of `domain` in domains_ plus one, adding it if new; 0 for the
  // default domain; -1 when the list is full.
  int DomainIndex(std::string_view domain);
  std::string_view DomainAt(uint8_t index) const {
    if (index == 0) return {};
    const Domain& d = domains_[index - 1];
    return std::string_view(d.name, d.length);
  }

  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<Domain[]> domains_;
  size_t used_ = 0;
  size_t domain_count_ = 0;
};

class ThreadClicks {
 public:
  ThreadClicks();
  ~ThreadClicks();

  // Worker thread. `domain` empty: the default domain.
  void Record(std::string_view domain, std::string_view code);
  void Record(std::string_view code) { Record({}, code); }
  void RecordBot() {
    bot_hits_.store(bot_hits_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void Tick();  // hand the active table over if the collector took the last one

  // Click analytics: before the worker starts, gives it a VisitRing. Then
  // RecordVisit hands each visit's facts to the collector through it (and
  // counts the click as Record does when the ring is full).
  void EnableVisits(size_t ring_bytes);
  bool visits_enabled() const { return visits_ != nullptr; }
  void RecordVisit(const VisitRecord& facts);
  // Collecting thread: the ring, or null without analytics.
  VisitRing* visits() { return visits_.get(); }

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
  // Clicks counted without their facts (the ring was full): reported as unknown.
  uint64_t unclassified() const { return unclassified_.load(std::memory_order_relaxed); }

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
  std::atomic<uint64_t> unclassified_{0};
  std::unique_ptr<VisitRing> visits_;
  // Its own cache line: the worker reads it per click, the flusher writes it.
  alignas(64) std::atomic<bool> handover_wanted_{false};
};

}  // namespace shortlink::redirector
