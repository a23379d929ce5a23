#include "database.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <sys/statvfs.h>

#include "common/log.h"
#include "common/rocks_logger.h"
#include "common/wire.h"

namespace shortlink::admin {
namespace {

constexpr char kStorageFull[] = "Storage is full; the change was not saved. Try again later.";

}  // namespace

Error FromRocks(const rocksdb::Status& status, std::string_view what) {
  LogError("storage error", {{"op", what}, {"detail", status.ToString()}});
  if (status.IsNoSpace() || status.IsIOError() || status.IsBusy() || status.IsTimedOut()) {
    std::string msg = status.IsNoSpace()
                          ? kStorageFull
                          : "Storage is unavailable; the change was not saved. Try again later.";
    return MakeError(ErrorCode::kUnavailable, msg);
  }
  return MakeError(ErrorCode::kInternal, "Internal server error");
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& dir, Use use) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.info_log = NewRocksLogger();  // no LOG file to fill the disk
  options.IncreaseParallelism(2);
  options.OptimizeLevelStyleCompaction();
  options.compression = rocksdb::kLZ4Compression;
  // Point lookups by code dominate: a bloom filter saves disk reads on misses.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (use == Use::kBulkLoad) {
    // Profile of a 1M-row import: ~30% in skiplist inserts of random codes.
    options.memtable_factory.reset(new rocksdb::VectorRepFactory);
    options.allow_concurrent_memtable_write = false;  // the skiplist's feature only
  }
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  if (!s.ok()) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot open database in " + dir + ": " + s.ToString());
  }
  return std::unique_ptr<Database>(new Database(std::unique_ptr<rocksdb::DB>(db), dir));
}

Database::~Database() {
  if (db_) db_->Close();
}

Status Database::CheckSpace() const {
  struct statvfs fs;
  if (statvfs(dir_.c_str(), &fs) != 0) return Status::Ok();  // unknown: RocksDB will tell
  uint64_t available = uint64_t{fs.f_bavail} * fs.f_frsize;
  if (available >= kMinFreeBytes) return Status::Ok();
  LogError("storage error", {{"op", "write"},
                             {"detail", "free space below the reserve"},
                             {"available_bytes", std::to_string(available)}});
  return MakeError(ErrorCode::kUnavailable, kStorageFull);
}

Status Database::Write(rocksdb::WriteBatch* batch) {
  if (Status s = CheckSpace(); !s.ok()) return s;
  rocksdb::WriteOptions options;
  options.sync = true;
  rocksdb::Status s = db_->Write(options, batch);
  if (!s.ok()) return FromRocks(s, "write");
  return Status::Ok();
}

Status Database::WriteUnsynced(rocksdb::WriteBatch* batch) {
  if (Status s = CheckSpace(); !s.ok()) return s;
  rocksdb::WriteOptions options;
  options.sync = false;
  rocksdb::Status s = db_->Write(options, batch);
  if (!s.ok()) return FromRocks(s, "write");
  return Status::Ok();
}

Status Database::Flush() {
  rocksdb::Status s = db_->FlushWAL(/*sync=*/true);
  if (!s.ok()) return FromRocks(s, "flush");
  return Status::Ok();
}

Result<std::optional<std::string>> Database::Get(std::string_view key) {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "get");
  return std::optional<std::string>(std::move(value));
}

uint64_t Database::GetNumber(std::string_view key) {
  auto value = Get(key);
  if (!value.ok() || !value.value() || value.value()->size() != 8) return 0;
  return wire::GetFixed64BE(value.value()->data());
}

Status Database::Scan(std::string_view prefix,
                      const std::function<bool(std::string_view, std::string_view)>& visit,
                      const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  options.readahead_size = 2 << 20;  // bytes; scans are long and sequential
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    rocksdb::Slice key = it->key();
    if (!key.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
    rocksdb::Slice value = it->value();
    if (!visit(std::string_view(key.data(), key.size()),
               std::string_view(value.data(), value.size())))
      break;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan");
  return Status::Ok();
}

}  // namespace shortlink::admin
