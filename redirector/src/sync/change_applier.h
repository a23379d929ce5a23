// ChangeApplier: applies admin-api's changes to the node, strictly in
// sequence order, first to the replica (so it survives a restart) and then
// to the in-memory LinkTable (so it is served).
//
// Ordering contract: a change is applied only when its seq is applied + 1.
// A change with seq <= applied was seen already (the log and the stream
// overlap by design) and is ignored; a change with seq > applied + 1 means
// something was missed, and the caller must catch up from the change log.
//
// Thread safety: not thread-safe. All methods but ReadAtAppliedSeq run on the
// one applier thread, which is the only writer of the LinkTable and of the
// replica. Every write to both goes through the ChangeGate, so that
// ReadAtAppliedSeq, from any thread, sees them as of one applied seq.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "common/link.h"
#include "common/result.h"
#include "sync/change_gate.h"
#include "sync/replica_store.h"
#include "table/link_sink.h"

namespace shortlink::redirector {

enum class ApplyOutcome {
  kApplied,  // seq was applied + 1: now durable and served
  kStale,    // seq <= applied: ignored
  kGap,      // seq > applied + 1: nothing done; catch up first
};

struct ApplyRunResult {
  size_t applied = 0;
  size_t stale = 0;
  bool gap = false;  // the run stopped at a change that did not follow on
};

class ChangeApplier {
 public:
  // Neither is owned; both must outlive the applier.
  ChangeApplier(ReplicaStore* store, LinkSink* table) : store_(store), table_(table) {}
  ChangeApplier(const ChangeApplier&) = delete;
  ChangeApplier& operator=(const ChangeApplier&) = delete;

  uint64_t applied_seq() const { return store_->applied_seq(); }
  bool initialized() const { return store_->initialized(); }

  // Fills the table, which must be empty, with every link of the replica
  // (at start).
  Result<LoadStats> LoadReplica();

  // Applies one change (a live message). On an error nothing was applied to
  // the table; the replica is unchanged too unless the error came after its
  // write, which cannot happen: the table cannot fail.
  Result<ApplyOutcome> Apply(const ReceivedChange& change);

  // Applies a run of changes (a page of the change log) in one replica
  // batch: stale changes are skipped, the contiguous ones applied, and the
  // run stops at the first gap.
  Result<ApplyRunResult> ApplyRun(std::span<const ReceivedChange> changes);

  // Replacing everything from a snapshot: stream the links into the writer
  // that BeginSnapshot returns, then CommitSnapshot makes the replica's state
  // that of `seq` and brings the table to it. Until the commit, the node
  // keeps serving (and the replica keeps holding) the old state.
  Result<std::unique_ptr<ReplicaSnapshotWriter>> BeginSnapshot() { return store_->BeginSnapshot(); }
  Status CommitSnapshot(ReplicaSnapshotWriter* writer, uint64_t seq);

  // Any thread: calls `read(seq)` where the table and the replica hold
  // exactly the changes up to seq, none half-applied; `read` may be called
  // more than once (see ChangeGate) and must only read the table.
  template <typename Read>
  ChangeGate::ReadOutcome ReadAtAppliedSeq(Read&& read) {
    return gate_.Read([&] { read(store_->applied_seq()); });
  }

 private:
  void ApplyToTable(const ReceivedChange& change);
  void UpsertToTable(const Link& link);

  ReplicaStore* store_;
  LinkSink* table_;
  ChangeGate gate_;  // around every write to store_ and table_
};

}  // namespace shortlink::redirector
