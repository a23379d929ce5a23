#include "store/database.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <sys/statvfs.h>

#include <array>
#include <deque>
#include <filesystem>
#include <vector>

#include "common/log.h"
#include "common/rocks_logger.h"
#include "store/analytics_keys.h"
#include "store/db_keys.h"
#include "store/packed_counts.h"
#include "store/schema.h"

namespace shortlink::admin {
namespace {

constexpr char kStorageFull[] = "Storage is full; the change was not saved. Try again later.";

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

rocksdb::DBOptions DatabaseOptions(Database::Use use) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.info_log = NewRocksLogger();  // no LOG file to fill the disk
  options.IncreaseParallelism(2);
  // A log file lives until every table with writes in it is flushed; the
  // small tables (users, keys) fill their memtables slowly, so without a
  // bound they would keep gigabytes of log (and its replay at start) alive.
  // Bytes: above what the links and changes memtables hold before their own
  // flushes, so those flush as they did with one column family.
  options.max_total_wal_size = uint64_t{512} << 20;
  // The skiplist's feature only, and the click totals' memtable is a vector
  // (TableOptions). Nothing is lost: one thread writes links and clicks, and
  // RocksDB's group commit still joins the others' writes to its own.
  options.allow_concurrent_memtable_write = false;
  if (use == Database::Use::kBulkLoad) {
    // No log: the tables become durable by flushes alone, so they flush
    // together, and links are never on disk without their changes.
    options.atomic_flush = true;
  }
  return options;
}

// Click analytics (store/analytics_keys.h): rows a commit adds to without
// reading them first. Dispatched by the key's first byte: packed rows ('H',
// 'D') sum maps (store/packed_counts.h), every other row 8-byte BE counts.
// All operands of a key are summed at once (a busy link's hour collects an
// operand per commit until a flush or compaction merges them), so a map is
// sorted once per merge, not once per operand. A malformed operand counts
// nothing. The name is the one the count-only operator had: the same
// operator for every row an earlier release wrote.
class AddCounts : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    return Sum(in.key, in.existing_value, in.operand_list, &out->new_value);
  }
  bool PartialMerge(const rocksdb::Slice& key, const rocksdb::Slice& left,
                    const rocksdb::Slice& right, std::string* new_value,
                    rocksdb::Logger*) const override {
    return Sum(key, nullptr, std::array<rocksdb::Slice, 2>{left, right}, new_value);
  }
  bool PartialMergeMulti(const rocksdb::Slice& key, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger*) const override {
    return Sum(key, nullptr, operands, new_value);
  }
  const char* Name() const override { return "shortlink.AddCounts"; }

 private:
  static bool IsPackedKey(const rocksdb::Slice& key) {
    return !key.empty() && analytics_key::IsPacked(key[0]);
  }
  static std::string_view ToView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }
  static uint64_t Count(const rocksdb::Slice& s) {
    return s.size() == 8 ? wire::GetFixed64BE(s.data()) : 0;
  }
  // `existing` (null: none) plus every operand, as the key's kind sums.
  template <typename Operands>
  static bool Sum(const rocksdb::Slice& key, const rocksdb::Slice* existing,
                  const Operands& operands, std::string* new_value) {
    if (IsPackedKey(key)) {
      std::vector<PackedEntry> entries;
      if (existing) ReadPacked(ToView(*existing), &entries);
      for (const rocksdb::Slice& operand : operands) ReadPacked(ToView(operand), &entries);
      EncodeCanonical(&entries, new_value);
      return true;
    }
    uint64_t sum = existing ? Count(*existing) : 0;
    for (const rocksdb::Slice& operand : operands) sum += Count(operand);
    new_value->clear();
    wire::PutFixed64BE(sum, new_value);
    return true;
  }
};

rocksdb::ColumnFamilyOptions TableOptions(Table table, Database::Use use) {
  rocksdb::ColumnFamilyOptions options;
  if (table == Table::kAnalytics) {
    // Many small rows sharing long prefixes, added to by merges and read by
    // range: LZ4 and the block's prefix compression keep them small.
    options.compression = rocksdb::kLZ4Compression;
    options.merge_operator = std::make_shared<AddCounts>();
    return options;
  }
  if (table == Table::kClicks) {
    // Click totals: 8 bytes per clicked link, rewritten by every click
    // batch that counts it, and only ever read whole, at start. A skiplist
    // memtable spent most of a batch's apply time finding where each of
    // ~100,000 random keys goes; a vector memtable appends them, and sorts
    // once, when it is flushed (or read at start).
    options.compression = rocksdb::kLZ4Compression;
    options.memtable_factory.reset(new rocksdb::VectorRepFactory);
    return options;
  }
  if (table != Table::kLinks && table != Table::kChanges) {
    // Users, keys, counters, watermarks: few records, read whole at start.
    options.compression = rocksdb::kLZ4Compression;
    return options;
  }
  options.OptimizeLevelStyleCompaction();
  options.compression = rocksdb::kLZ4Compression;
  if (table == Table::kLinks) {
    // Point lookups by key: a bloom filter saves disk reads on misses. The
    // change log is only sought by seq and scanned on, which no filter helps.
    rocksdb::BlockBasedTableOptions block;
    block.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(block));
  }
  if (use == Database::Use::kBulkLoad) {
    // A bulk load writes a link and a change per row. Profile of a 1M-row
    // import: ~30% in skiplist inserts of random codes.
    options.memtable_factory.reset(new rocksdb::VectorRepFactory);
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
  return options;
}

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

Result<std::unique_ptr<Database>> Database::Open(const std::string& dir, Use use,
                                                 const UpgradeOptions& upgrade) {
  rocksdb::DBOptions options = DatabaseOptions(use);
  // Made here so that RocksDB does not log an error line for a missing
  // directory on a first start (it creates it all the same).
  std::error_code ignored;
  std::filesystem::create_directories(dir, ignored);

  // Every column family on disk must be opened: the tables, the default
  // one, and any a newer release made (the schema check refuses those).
  std::vector<std::string> on_disk;
  if (!rocksdb::DB::ListColumnFamilies(options, dir, &on_disk).ok())
    on_disk = {rocksdb::kDefaultColumnFamilyName};  // no database yet
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (Table table : kAllTables)
    families.emplace_back(std::string(TableName(table)), TableOptions(table, use));
  for (const std::string& name : on_disk) {
    bool is_table = false;
    for (Table table : kAllTables) is_table = is_table || name == TableName(table);
    if (!is_table) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  bool has_default = false;
  for (const auto& family : families)
    has_default = has_default || family.name == rocksdb::kDefaultColumnFamilyName;
  if (!has_default)
    families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());

  std::unique_ptr<Database> database(new Database(dir, use));
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, families, &database->handles_, &db);
  if (!s.ok()) {
    // RocksDB's lock: another process (a running server) has it open.
    bool locked = s.IsIOError() && s.ToString().find("lock") != std::string::npos;
    return MakeError(ErrorCode::kUnavailable, "cannot open database in " + dir + ": " +
                                                  s.ToString() +
                                                  (locked ? " (is a server running on it?)" : ""));
  }
  database->db_.reset(db);

  std::array<rocksdb::ColumnFamilyHandle*, kTableCount> tables;
  rocksdb::ColumnFamilyHandle* legacy = nullptr;
  for (size_t i = 0; i < families.size(); ++i) {
    if (i < kTableCount) tables[i] = database->handles_[i];
    if (families[i].name == rocksdb::kDefaultColumnFamilyName) legacy = database->handles_[i];
  }
  if (Status up = UpgradeSchema(db, legacy, tables, dir, upgrade); !up.ok()) return up.error();
  return database;
}

Database::Database(std::string dir, Use use) : dir_(std::move(dir)), use_(use) {}

Database::~Database() {
  if (!db_) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  // A bulk load that stopped early keeps what it wrote, as it would have
  // with a log: Close flushes memtables that no log covers
  // (avoid_flush_during_shutdown is false by default).
  db_->Close();
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

Status Database::Write(WriteBatch* batch) {
  if (Status s = CheckSpace(); !s.ok()) return s;
  rocksdb::WriteOptions options;
  // Why no log for a bulk load: a 1M-link import wrote 275 MB of log that
  // the next admin-api start replayed into skiplist memtables (11 s to
  // ready instead of 4), and the log append was ~8% of the import's CPU.
  options.disableWAL = use_ == Use::kBulkLoad;
  options.sync = !options.disableWAL;
  rocksdb::Status s = db_->Write(options, batch->rep_.get());
  if (!s.ok()) return FromRocks(s, "write");
  return Status::Ok();
}

uint64_t Database::TableBytes(Table table, bool compact_first) {
  if (compact_first) {
    rocksdb::FlushOptions flush;
    db_->Flush(flush, handle(table));
    rocksdb::CompactRangeOptions compact;
    db_->CompactRange(compact, handle(table), nullptr, nullptr);
  }
  uint64_t bytes = 0;
  db_->GetIntProperty(handle(table), rocksdb::DB::Properties::kTotalSstFilesSize, &bytes);
  return bytes;
}

Status Database::FinishBulkLoad() {
  rocksdb::FlushOptions options;
  options.wait = true;
  std::vector<rocksdb::ColumnFamilyHandle*> tables(handles_.begin(),
                                                   handles_.begin() + kTableCount);
  rocksdb::Status s = db_->Flush(options, tables);
  if (!s.ok()) return FromRocks(s, "flush");
  return Status::Ok();
}

Result<std::optional<std::string>> Database::Get(Table table, std::string_view key,
                                                 const ReadView* view) {
  std::string value;
  rocksdb::ReadOptions options;
  options.snapshot = view ? view->snapshot_ : nullptr;
  rocksdb::Status s = db_->Get(options, handle(table), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "get");
  return std::optional<std::string>(std::move(value));
}

uint64_t Database::GetNumber(Table table, std::string_view key, const ReadView* view) {
  auto value = Get(table, key, view);
  uint64_t n = 0;
  if (!value.ok() || !value.value() || !dbkey::ParseNumber(*value.value(), &n)) return 0;
  return n;
}

Status Database::Scan(Table table, std::string_view prefix,
                      const std::function<bool(std::string_view, std::string_view)>& visit,
                      const ReadView* view) {
  Cursor cursor = NewCursor(table, view, ReadPattern::kLong);
  for (cursor.Seek(prefix); cursor.Valid(); cursor.Next()) {
    std::string_view key = cursor.key();
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!visit(key, cursor.value())) break;
  }
  return cursor.status();
}

Cursor Database::NewCursor(Table table, const ReadView* view, ReadPattern pattern) {
  rocksdb::ReadOptions options;
  options.snapshot = view ? view->snapshot_ : nullptr;
  if (pattern == ReadPattern::kLong) options.readahead_size = 2 << 20;  // bytes
  return Cursor(std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(options, handle(table))));
}

std::unique_ptr<ReadView> Database::NewReadView() {
  return std::unique_ptr<ReadView>(new ReadView(this, db_->GetSnapshot()));
}

}  // namespace shortlink::admin
