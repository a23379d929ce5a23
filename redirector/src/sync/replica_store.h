// ReplicaStore: the node's own RocksDB copy of every link and of the last
// applied change sequence number, so that a node restarts warm and serves
// every link with admin-api and Redis both down.
//
// Layout (inside --data-dir):
//   column family "default": metadata
//     "applied_seq" -> fixed64 BE, the seq of the last change applied
//                      (absent until the replica holds a complete state)
//     "links_cf"    -> name of the column family holding the live links
//     "schema"      -> the layout of the links families, "2"; absent in a
//                      replica written before domains (layout 1)
//     "domain/<host>" -> a custom domain's record (common/domain.h), as
//                      received; written with the changes and snapshots
//                      that carry them, so they are as of applied_seq too
//   column family "links.<generation>": link key -> link record, as received
//
// A link key is (domain, code) as common/link.h's EncodeLinkKey lays it out
// (domain, 0x00, code; "" the default domain): the order of admin-api's keys
// and so of its snapshot stream, which goes to SST files as it arrives.
// Layout 1 keyed links by code alone. Open upgrades such a replica by
// rewriting its links into a fresh family under their (domain, code) keys
// and switching to it in one batch with the schema, the way a snapshot is
// committed: a crash midway leaves the old replica, upgraded on the next
// open. A replica of a newer layout is refused, not guessed at.
//
// Invariants that make the replica safe to serve after any crash:
//   - Every applied change (or run of changes) is one WriteBatch holding the
//     link puts/deletes and the new applied_seq, so the links on disk are
//     always exactly the state as of applied_seq. The WAL is not fsynced per
//     batch by default: a process crash loses nothing (the WAL is in the page
//     cache), and a power loss recovers a consistent prefix (WAL order), after
//     which the node simply catches up from an older seq.
//   - A snapshot is written into a fresh column family. Only when it is
//     complete and flushed does one batch switch "links_cf" and applied_seq
//     to it; the old family is dropped afterwards. A crash mid-snapshot leaves
//     the old, consistent state in place (and the half-written family is
//     dropped on the next open), so the node never serves a mix of the two.
//
// Records are kept verbatim as admin-api sent them, not re-encoded: fields a
// newer admin-api adds (link rules) survive in the replica, and a node
// upgraded later finds them there.
//
// Thread safety: one thread (the applier) calls the mutating methods and
// LoadAll; applied_seq() and initialized() may be read from any thread.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/sst_file_writer.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/domain.h"
#include "common/link.h"
#include "common/result.h"
#include "upstream/received_change.h"

namespace shortlink::redirector {

struct ReplicaOptions {
  // fsync the WAL on every applied batch. Off by default: see the file
  // comment for why the replica stays consistent without it.
  bool sync_writes = false;
  // Readahead when loading every link at start. Large, because the load is
  // one sequential scan of the whole family.
  size_t load_readahead_bytes = 8 << 20;
  // A snapshot arrives in code order and is written as SST files of about
  // this many bytes, ingested at the bottom level on Commit: no memtable,
  // no compaction afterwards, and a later load reads one sorted run.
  size_t snapshot_file_bytes = 256 << 20;
  // Records out of code order (never sent by admin-api, but not trusted)
  // go through write batches of about this many bytes instead.
  size_t snapshot_batch_bytes = 4 << 20;
};

struct LoadStats {
  size_t links = 0;
  size_t corrupt = 0;  // records that failed to decode (skipped, and logged)
};

class ReplicaSnapshotWriter;

class ReplicaStore {
 public:
  // Opens (creating if needed) the replica in `dir`, dropping any column
  // family a crashed snapshot left behind.
  static Result<std::unique_ptr<ReplicaStore>> Open(const std::string& dir,
                                                    ReplicaOptions options = {});
  ~ReplicaStore();
  ReplicaStore(const ReplicaStore&) = delete;
  ReplicaStore& operator=(const ReplicaStore&) = delete;

  // False for a brand-new replica that has never held a complete state (no
  // snapshot and no change applied yet): such a node must take a snapshot.
  bool initialized() const { return initialized_.load(std::memory_order_acquire); }
  uint64_t applied_seq() const { return applied_seq_.load(std::memory_order_acquire); }

  // The layout this code writes and reads (see the file comment).
  static constexpr int kSchema = 2;

  // Calls `visit` for every link, in key order, with views valid during
  // the call only. Corrupt records are skipped and counted: the caller
  // should then replace the replica from a snapshot rather than trust it.
  Result<LoadStats> LoadAll(const std::function<void(const ServedLink&)>& visit);
  // Calls `visit` for every custom domain held; returns how many. A record
  // that does not decode is skipped and logged.
  Result<size_t> LoadDomains(const std::function<void(const DomainRecord&)>& visit);
  // About how many links LoadAll will visit (RocksDB's estimate), to size
  // the table once.
  size_t EstimatedLinks();

  // Writes `changes` and applied_seq = changes.back().seq in one batch.
  // Precondition (checked by ChangeApplier): changes are contiguous and the
  // first one is applied_seq() + 1.
  Status Apply(std::span<const ReceivedChange> changes);

  // Starts replacing every link. Only one snapshot at a time; the store must
  // not be used for Apply until the writer is committed or destroyed.
  Result<std::unique_ptr<ReplicaSnapshotWriter>> BeginSnapshot();

  // Reads one link record (tests and tools); by code alone: on the default
  // domain.
  Result<Link> Get(LinkKey key);
  Result<Link> Get(std::string_view code) { return Get(LinkKey{{}, code}); }

 private:
  friend class ReplicaSnapshotWriter;
  ReplicaStore(std::unique_ptr<rocksdb::DB> db, ReplicaOptions options);

  Status OpenExisting(const std::vector<rocksdb::ColumnFamilyDescriptor>& descriptors,
                      std::vector<rocksdb::ColumnFamilyHandle*> handles);
  Status DropFamily(rocksdb::ColumnFamilyHandle* handle);
  // Brings a replica of an older layout to kSchema (see the file comment).
  Status Upgrade();

  const ReplicaOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* links_ = nullptr;  // the live links family
  uint64_t next_generation_ = 1;
  bool snapshot_open_ = false;
  std::atomic<bool> initialized_{false};
  std::atomic<uint64_t> applied_seq_{0};
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // every open handle
};

// Fills a fresh column family with a snapshot's links; Commit switches the
// replica to it atomically. Destroying an uncommitted writer drops the
// family and leaves the replica as it was.
class ReplicaSnapshotWriter {
 public:
  ~ReplicaSnapshotWriter();
  ReplicaSnapshotWriter(const ReplicaSnapshotWriter&) = delete;
  ReplicaSnapshotWriter& operator=(const ReplicaSnapshotWriter&) = delete;

  // Adds one encoded link record (a snapshot frame). Rejects records that do
  // not decode.
  Status Add(std::string_view record);
  // The snapshot replaces the custom domains too (a snapshot from
  // admin-api): Commit removes every domain not added with AddDomain.
  // Without it (a layout upgrade) the domains held are kept.
  void ReplaceDomains() { replace_domains_ = true; }
  // Adds one encoded domain record (a snapshot's domain frame); implies
  // ReplaceDomains. Rejects records that do not decode.
  Status AddDomain(std::string_view record);
  // The domains added, decoded (for the table, after Commit).
  const std::vector<DomainRecord>& domains() const { return domains_; }
  size_t links() const { return links_; }

  // What changed between the old state and the snapshot, reported after the
  // switch so that the in-memory table can follow: `now` is null for a link
  // that the snapshot no longer holds, otherwise the link as it now is.
  // Links whose record did not change are not reported. `key`'s views are
  // valid during the call only.
  using DiffVisitor = std::function<void(LinkKey key, const Link* now)>;

  // Makes the snapshot durable and the replica's state as of `seq`, then
  // reports the differences to `diff` (unless it is empty) and drops the
  // old links.
  Status Commit(uint64_t seq, const DiffVisitor& diff);

 private:
  friend class ReplicaStore;
  ReplicaSnapshotWriter(ReplicaStore* store, rocksdb::ColumnFamilyHandle* family);
  Status FlushBatch();
  Status AddToFile(const std::string& key, std::string_view record);
  Status FinishFile();
  Status DropReplaced(rocksdb::ColumnFamilyHandle* old);
  Status IngestFiles();
  void RemoveFiles();

  ReplicaStore* store_;
  rocksdb::ColumnFamilyHandle* family_;  // owned by store_->handles_
  rocksdb::WriteBatch batch_;
  std::unique_ptr<rocksdb::SstFileWriter> file_;  // the SST being written, if any
  std::vector<std::string> files_;                // finished SSTs, to ingest on Commit
  std::string last_key_;                          // keys must rise for the SST path
  bool in_order_ = true;                          // false: the rest goes through batches
  size_t links_ = 0;
  bool done_ = false;
  bool replace_domains_ = false;
  std::vector<DomainRecord> domains_;
  std::vector<std::string> domain_records_;  // verbatim, as domains_
};

}  // namespace shortlink::redirector
