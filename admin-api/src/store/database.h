// Database: admin-api's RocksDB, the single source of truth.
//
// Every write is synced to the WAL before it returns, so a kill -9 after an
// acknowledged request loses nothing (RocksDB groups concurrent synced writes
// into one fsync). Errors are converted to Status here, once.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace shortlink::admin {

class Database {
 public:
  enum class Use {
    kServing,
    // An offline bulk load (admin-api import): writes only, keys in random
    // order. The memtable is a vector sorted once at flush instead of a
    // skiplist searched on every insert; reads of unflushed keys would be
    // slow, and the import does none. Writes skip the write-ahead log:
    // they become durable in table files, when FinishBulkLoad (or the
    // destructor, through RocksDB's Close) flushes the memtables.
    kBulkLoad,
  };
  static Result<std::unique_ptr<Database>> Open(const std::string& dir, Use use = Use::kServing);
  ~Database();

  // Durable write: returns once the batch is synced (for kBulkLoad: once
  // it is in the memtable; see FinishBulkLoad). A full disk or any I/O
  // failure comes back as kUnavailable, and nothing of the batch is applied.
  // Writes refuse (kUnavailable) while the data dir's filesystem has less
  // than kMinFreeBytes available, without reaching RocksDB.
  Status Write(rocksdb::WriteBatch* batch);
  // kBulkLoad only: writes every memtable to table files and waits, so that
  // all written so far is durable, and the next open replays no log.
  Status FinishBulkLoad();

  Result<std::optional<std::string>> Get(std::string_view key);
  uint64_t GetNumber(std::string_view key);  // 0 when absent

  // Calls visit(key, value) for each key starting with `prefix`, in order,
  // until visit returns false. `snapshot` may be null.
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit,
              const rocksdb::Snapshot* snapshot = nullptr);

  rocksdb::DB* raw() { return db_.get(); }

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
  Database(std::unique_ptr<rocksdb::DB> db, std::string dir, Use use)
      : db_(std::move(db)), dir_(std::move(dir)), use_(use) {}
  Status CheckSpace() const;

  std::unique_ptr<rocksdb::DB> db_;
  std::string dir_;
  Use use_;
};

// The status a RocksDB failure maps to: kUnavailable for space and I/O
// errors (the request may succeed later), kInternal otherwise.
Error FromRocks(const rocksdb::Status& status, std::string_view what);

}  // namespace shortlink::admin
