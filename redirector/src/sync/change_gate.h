// ChangeGate: lets a reader see the node's links and its applied seq as of
// one change, while the applier thread goes on applying changes.
//
// Why it is needed: the applier writes a change to the replica (which moves
// applied_seq) and only then to the LinkTable, and a walk of the whole table
// (table/table_digest.h, ~60 ms per 1M links) takes far longer than one
// change. Reading the seq before and after the walk is not enough: the seq
// moves before the table does.
//
// How: the applier brackets every change (the replica write and the table
// write, or a run of them, or a snapshot's commit) with BeginChange and
// EndChange, which take a mutex and bump a version, odd while a change is
// under way (a seqlock). A reader first tries optimistically, holding
// nothing: it reads the version (even), the seq and the table, then the
// version again; unchanged, nothing moved, and what it read is the state as
// of that seq. That costs the applier nothing, so a digest asked for every
// second delays no change. After kOptimisticTries walks that a change
// overlapped (a steady stream of changes), or when a change is under way,
// the reader takes the mutex and reads with the applier held off for one
// walk: bounded, and the request threads never wait (they only read the
// table, lock-free).
//
// Thread safety: BeginChange/EndChange on the applier thread; Read from any
// number of threads. What a reader reads must be atomics that the writer
// stores with release and the reader loads with acquire, or memory
// published through them (the LinkTable's slots and arrays, the replica's
// applied_seq): then a reader that sees any write of a change also sees
// the odd version stored before it (happens-before through that
// release/acquire pair), and its second look at the version tells. No
// fences: ThreadSanitizer models none, and GCC warns of them under it.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

namespace shortlink::redirector {

class ChangeGate {
 public:
  static constexpr int kOptimisticTries = 3;

  // Applier thread: around the writes of one change or run of changes.
  void BeginChange() {
    mu_.lock();
    // Odd before any write of the change, in program order: each of those
    // writes is a release store, so a reader that acquires one also sees this.
    version_.fetch_add(1, std::memory_order_seq_cst);
  }
  void EndChange() {
    version_.fetch_add(1, std::memory_order_release);  // even: the change is whole
    mu_.unlock();
  }
  // RAII form of the two.
  class Scope {
   public:
    explicit Scope(ChangeGate* gate) : gate_(gate) { gate_->BeginChange(); }
    ~Scope() { gate_->EndChange(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ChangeGate* gate_;
  };

  // Calls `read()` until one call overlapped no change (it may be called
  // several times: each call must start afresh). Returns how it ended, for
  // metrics and tests.
  enum class ReadOutcome { kOptimistic, kLocked };
  template <typename Reader>
  ReadOutcome Read(Reader&& read) {
    for (int i = 0; i < kOptimisticTries; ++i) {
      uint64_t before = version_.load(std::memory_order_acquire);
      if (before & 1) break;  // a change is under way: wait for it below
      read();
      if (version_.load(std::memory_order_seq_cst) == before) return ReadOutcome::kOptimistic;
    }
    std::lock_guard lock(mu_);
    read();
    return ReadOutcome::kLocked;
  }

  // Changes begun so far (tests).
  uint64_t changes() const { return version_.load(std::memory_order_acquire) / 2; }

 private:
  std::mutex mu_;  // held by the applier during a change, by a reader that gave up hoping
  std::atomic<uint64_t> version_{0};  // odd: a change is under way
};

}  // namespace shortlink::redirector
