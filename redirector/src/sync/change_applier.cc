#include "sync/change_applier.h"

#include <string>
#include <unordered_set>
#include <vector>

#include "common/log.h"
#include "sync/replica_loader.h"

namespace shortlink::redirector {

Result<LoadStats> ChangeApplier::LoadReplica() {
  ChangeGate::Scope change(&gate_);
  auto loaded = LoadReplicaInto(store_, table_);
  if (!loaded.ok()) return loaded;
  auto domains = store_->LoadDomains([this](const DomainRecord& d) { table_->UpsertDomain(d); });
  if (!domains.ok()) return domains.error();
  return loaded;
}

void ChangeApplier::UpsertToTable(const Link& link) {
  if (link.rules.empty())
    table_->Upsert(KeyOf(link), link.long_url, link.state);
  else
    table_->UpsertWithRules(link);
}

void ChangeApplier::ApplyToTable(const ReceivedChange& change) {
  switch (change.op) {
    case ChangeOp::kUpsert:
      UpsertToTable(change.link);
      break;
    case ChangeOp::kDelete:
      table_->Erase(KeyOf(change.link));
      break;
    case ChangeOp::kDomainUpsert:
      table_->UpsertDomain(change.domain);
      break;
    case ChangeOp::kDomainDelete:
      table_->EraseDomain(change.domain.host);
      break;
  }
}

Result<ApplyOutcome> ChangeApplier::Apply(const ReceivedChange& change) {
  uint64_t applied = store_->applied_seq();
  if (change.seq <= applied) return ApplyOutcome::kStale;
  if (change.seq != applied + 1) return ApplyOutcome::kGap;
  // Durable first: if the node dies between the two steps, the restart
  // loads the change from the replica; the other order could lose it.
  ChangeGate::Scope both(&gate_);
  Status s = store_->Apply(std::span<const ReceivedChange>(&change, 1));
  if (!s.ok()) return s.error();
  ApplyToTable(change);
  return ApplyOutcome::kApplied;
}

Result<ApplyRunResult> ChangeApplier::ApplyRun(std::span<const ReceivedChange> changes) {
  ApplyRunResult result;
  uint64_t next = store_->applied_seq() + 1;
  size_t begin = 0;
  while (begin < changes.size() && changes[begin].seq < next) {
    ++begin;
    ++result.stale;
  }
  size_t end = begin;
  while (end < changes.size() && changes[end].seq == next) {
    ++end;
    ++next;
  }
  result.gap = end < changes.size();
  if (end == begin) return result;
  auto run = changes.subspan(begin, end - begin);
  ChangeGate::Scope both(&gate_);
  Status s = store_->Apply(run);
  if (!s.ok()) return s.error();
  for (const auto& change : run) ApplyToTable(change);
  result.applied = run.size();
  return result;
}

Status ChangeApplier::CommitSnapshot(ReplicaSnapshotWriter* writer, uint64_t seq) {
  // The whole switch, domains too: the replica's seq moves with the commit,
  // and the table follows the diff afterwards.
  ChangeGate::Scope both(&gate_);
  if (store_->initialized() && seq < store_->applied_seq()) {
    // admin-api's log went backwards (restored from a backup): its snapshot
    // is still the truth we follow.
    LogWarn("snapshot is older than the replica",
            {{"snapshot_seq", std::to_string(seq)},
             {"applied_seq", std::to_string(store_->applied_seq())}});
  }
  // The domains held before, to take out of the table those the snapshot
  // no longer has (when it replaces them).
  std::vector<std::string> old_hosts;
  auto listed = store_->LoadDomains([&](const DomainRecord& d) { old_hosts.push_back(d.host); });
  if (!listed.ok()) return listed.error();
  Status committed = writer->Commit(seq, [this](LinkKey key, const Link* now) {
    if (now == nullptr) {
      table_->Erase(key);
    } else {
      UpsertToTable(*now);
    }
  });
  if (!committed.ok()) return committed;
  std::unordered_set<std::string> now_hosts;
  auto held = store_->LoadDomains([&](const DomainRecord& d) {
    now_hosts.insert(d.host);
    table_->UpsertDomain(d);
  });
  if (!held.ok()) return held.error();
  for (const std::string& host : old_hosts)
    if (!now_hosts.count(host)) table_->EraseDomain(host);
  return Status::Ok();
}

}  // namespace shortlink::redirector
