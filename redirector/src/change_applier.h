// ChangeApplier: applies admin-api's changes to the node, strictly in
// sequence order, first to the replica (so it survives a restart) and then
// to the in-memory LinkTable (so it is served).
//
// Ordering contract: a change is applied only when its seq is applied + 1.
// A change with seq <= applied was seen already (the log and the stream
// overlap by design) and is ignored; a change with seq > applied + 1 means
// something was missed, and the caller must catch up from the change log.
//
// Thread safety: not thread-safe. All methods run on the one applier thread,
// which is the only writer of the LinkTable and of the replica.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "common/link.h"
#include "common/result.h"
#include "replica_store.h"

namespace shortlink::redirector {

// Where applied changes go in memory. In the node that is the LinkTable
// (LinkTableSink, link_table_sink.h); tests use a plain map. Kept abstract so that the
// sync code and its tests do not depend on the table's implementation.
class LinkSink {
 public:
  virtual ~LinkSink() = default;
  virtual void Upsert(std::string_view code, std::string_view long_url, LinkState state) = 0;
  virtual void Erase(std::string_view code) = 0;
  // Loading an empty sink: BeginLoad with room for about `links`, then
  // codes known to be absent, then EndLoad, after which all are served.
  // Sinks without a faster way just upsert.
  virtual void BeginLoad(size_t links) {}
  virtual void EndLoad() {}
  virtual void InsertNew(std::string_view code, std::string_view long_url, LinkState state) {
    Upsert(code, long_url, state);
  }
  // A link with rules (link.rules not empty). Sinks that do not evaluate
  // rules keep its code, URL and state.
  virtual void UpsertWithRules(const Link& link) { Upsert(link.code, link.long_url, link.state); }
  virtual void InsertNewWithRules(const Link& link) { UpsertWithRules(link); }
};

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

 private:
  void ApplyToTable(const ReceivedChange& change);
  void UpsertToTable(const Link& link);

  ReplicaStore* store_;
  LinkSink* table_;
};

}  // namespace shortlink::redirector
