#include "store/database.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <sys/statvfs.h>

#include <filesystem>

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
    // Without a log, memtables are flushed while the import goes on, one at
    // a time, rather than two merged at its end (1M links: 9.2 s instead of
    // 11.6); enough of them that the writer never waits for a flush. Level
    // 0 is compacted once it holds 512 MB rather than 128, or the smaller
    // flushes would rewrite level 1 four times as often (10M links: 164 s).
    options.write_buffer_size = size_t{64} << 20;
    options.min_write_buffer_number_to_merge = 1;
    options.max_write_buffer_number = 4;
    options.level0_file_num_compaction_trigger = 8;
  }
  // Made here so that RocksDB does not log an error line for a missing
  // directory on a first start (it creates it all the same).
  std::error_code ignored;
  std::filesystem::create_directories(dir, ignored);
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  if (!s.ok()) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot open database in " + dir + ": " + s.ToString());
  }
  return std::unique_ptr<Database>(new Database(std::unique_ptr<rocksdb::DB>(db), dir, use));
}

Database::~Database() {
  // A bulk load that stopped early keeps what it wrote, as it would have
  // with a log: Close flushes memtables that no log covers
  // (avoid_flush_during_shutdown is false by default).
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
  // Why no log for a bulk load: a 1M-link import wrote 275 MB of log that
  // the next admin-api start replayed into skiplist memtables (11 s to
  // ready instead of 4), and the log append was ~8% of the import's CPU.
  options.disableWAL = use_ == Use::kBulkLoad;
  options.sync = !options.disableWAL;
  rocksdb::Status s = db_->Write(options, batch);
  if (!s.ok()) return FromRocks(s, "write");
  return Status::Ok();
}

Status Database::FinishBulkLoad() {
  rocksdb::FlushOptions options;
  options.wait = true;
  rocksdb::Status s = db_->Flush(options);
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
