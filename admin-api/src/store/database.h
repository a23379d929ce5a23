// Database: admin-api's RocksDB, the single source of truth, as tables of
// records (store/table.h) with no RocksDB type in sight.
//
// Every write is synced to the WAL before it returns, so a kill -9 after an
// acknowledged request loses nothing (RocksDB groups concurrent synced writes
// into one fsync). Errors are converted to Status here, once.
//
// Open brings an older database to the current layout first (schema
// versions in store/schema.h), and refuses one written by a newer release.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/cursor.h"
#include "store/table.h"
#include "store/write_batch.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Status;
}  // namespace rocksdb

namespace shortlink::admin {

// How Open upgrades an older database (store/schema.h).
struct UpgradeOptions {
  size_t batch_bytes = size_t{4} << 20;  // per synced batch of copied records
  // Called after each batch of copied records is durable, with the number
  // of records copied so far (tests stop the process there).
  std::function<void(uint64_t copied)> after_batch;
};

class Database {
 public:
  enum class Use {
    kServing,
    // An offline bulk load (admin-api import): writes only, keys in random
    // order. The memtable is a vector sorted once at flush instead of a
    // skiplist searched on every insert; reads of unflushed keys would be
    // slow, and the import does none. Writes skip the write-ahead log:
    // they become durable in table files, when FinishBulkLoad (or the
    // destructor, through RocksDB's Close) flushes the memtables, of every
    // table at once (atomic flush), so a crash never keeps links without
    // their changes.
    kBulkLoad,
  };
  static Result<std::unique_ptr<Database>> Open(const std::string& dir, Use use = Use::kServing,
                                                const UpgradeOptions& upgrade = {});
  ~Database();

  // Durable write: returns once the batch is synced (for kBulkLoad: once
  // it is in the memtable; see FinishBulkLoad). A full disk or any I/O
  // failure comes back as kUnavailable, and nothing of the batch is applied.
  // Writes refuse (kUnavailable) while the data dir's filesystem has less
  // than kMinFreeBytes available, without reaching RocksDB.
  Status Write(WriteBatch* batch);
  // kBulkLoad only: writes every memtable to table files and waits, so that
  // all written so far is durable, and the next open replays no log.
  Status FinishBulkLoad();

  // `view` may be null (the latest state) in all of these.
  Result<std::optional<std::string>> Get(Table table, std::string_view key,
                                         const ReadView* view = nullptr);
  // The 8-byte big-endian number stored at `key`; 0 when absent.
  uint64_t GetNumber(Table table, std::string_view key, const ReadView* view = nullptr);

  // Calls visit(key, value) for each key of `table` starting with `prefix`
  // (every key when empty), in key order, until visit returns false.
  Status Scan(Table table, std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit,
              const ReadView* view = nullptr);

  enum class ReadPattern {
    kShort,  // a few records from where the cursor seeks
    kLong,   // a long sequential read: the files are read ahead
  };
  Cursor NewCursor(Table table, const ReadView* view = nullptr,
                   ReadPattern pattern = ReadPattern::kShort);
  std::unique_ptr<ReadView> NewReadView();

  // The bytes of `table`'s table files; `compact_first`: after flushing its
  // memtable and compacting it whole (slow: measurements and tests only).
  uint64_t TableBytes(Table table, bool compact_first = false);

  // A copy of the whole database in `dir` (which must not exist yet), taken
  // while it serves, as RocksDB's checkpoint: memtables are flushed, then
  // the table files are hard-linked (copied when `dir` is on another
  // filesystem). A data dir opened on `dir` holds exactly the commits up to
  // *sequence (RocksDB's sequence number), every table at the same point.
  // Implemented in store/checkpoint.cc. Blocks for the flush (ms to ~1 s).
  Status Checkpoint(const std::string& dir, uint64_t* sequence);

  // Why a reserve: RocksDB 7.8 does not come back from a WAL append that
  // failed for lack of space. Once space returns it resumes and appends to
  // the same failed WAL writer again (fixed upstream in 2024, rocksdb PR
  // 12448): Debian's librocksdb, built with assertions, aborts there (seen
  // in tests/e2e/test_faults.py), and a build without them fails the write
  // again. Refusing writes a little before the disk is full keeps the WAL
  // away from ENOSPC, so writes come back as soon as space does.
  // Bytes; one write batch is at most a few MiB.
  static constexpr uint64_t kMinFreeBytes = uint64_t{64} << 20;

 private:
  friend class WriteBatch;
  friend class ReadView;
  Database(std::string dir, Use use);
  Status CheckSpace() const;
  rocksdb::ColumnFamilyHandle* handle(Table table) const {
    return handles_[static_cast<size_t>(table)];
  }

  std::string dir_;
  Use use_;
  std::unique_ptr<rocksdb::DB> db_;
  // Indexed by Table; then the handles of column families that are not
  // tables (the default one, which RocksDB requires and we leave empty).
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// The status a RocksDB failure maps to: kUnavailable for space and I/O
// errors (the request may succeed later), kInternal otherwise.
Error FromRocks(const rocksdb::Status& status, std::string_view what);

}  // namespace shortlink::admin
