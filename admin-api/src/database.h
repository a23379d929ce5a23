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
  static Result<std::unique_ptr<Database>> Open(const std::string& dir);
  ~Database();

  // Durable write: returns once the batch is synced. A full disk or any I/O
  // failure comes back as kUnavailable, and nothing of the batch is applied.
  Status Write(rocksdb::WriteBatch* batch);
  // For offline bulk loads: not synced per batch; call Flush() at the end.
  Status WriteUnsynced(rocksdb::WriteBatch* batch);
  Status Flush();

  Result<std::optional<std::string>> Get(std::string_view key);
  uint64_t GetNumber(std::string_view key);  // 0 when absent

  // Calls visit(key, value) for each key starting with `prefix`, in order,
  // until visit returns false. `snapshot` may be null.
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit,
              const rocksdb::Snapshot* snapshot = nullptr);

  rocksdb::DB* raw() { return db_.get(); }

 private:
  explicit Database(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
  std::unique_ptr<rocksdb::DB> db_;
};

// The status a RocksDB failure maps to: kUnavailable for space and I/O
// errors (the request may succeed later), kInternal otherwise.
Error FromRocks(const rocksdb::Status& status, std::string_view what);

}  // namespace shortlink::admin
