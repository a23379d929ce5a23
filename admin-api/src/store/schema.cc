#include "store/schema.h"

#include <rocksdb/write_batch.h>

#include <optional>

#include "common/log.h"
#include "store/database.h"
#include "store/db_keys.h"

namespace shortlink::admin {
namespace {

rocksdb::WriteOptions Synced() {
  rocksdb::WriteOptions options;
  options.sync = true;  // even under kBulkLoad: the upgrade is not the load
  return options;
}

// Where a version 1 record goes in version 2; nullopt for a key of no kind
// version 1 knew.
struct Placed {
  Table table;
  std::string key;
};
std::optional<Placed> PlaceLegacyKey(std::string_view key) {
  if (key.size() < 2 || key[1] != '/') return std::nullopt;
  std::string_view rest = key.substr(2);
  switch (key[0]) {
    case 'l':
      return Placed{Table::kLinks, dbkey::Link(dbkey::kDefaultDomain, rest)};
    case 'c':
      return Placed{Table::kChanges, std::string(rest)};
    case 'u':
      return Placed{Table::kUsers, std::string(rest)};
    case 'e':
      return Placed{Table::kEmails, std::string(rest)};
    case 'k':
      return Placed{Table::kKeys, std::string(rest)};
    case 'i':
      return Placed{Table::kKeyIds, std::string(rest)};
    case 'm':
      return Placed{Table::kMeta, std::string(rest)};
    case 'w':
      return Placed{Table::kClickWatermarks, std::string(rest)};
  }
  return std::nullopt;
}

bool HasAnyKey(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, rocksdb::Status* status) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), family));
  it->SeekToFirst();
  *status = it->status();
  return it->Valid();
}

Status CopyLegacyRecords(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* legacy,
                         const std::array<rocksdb::ColumnFamilyHandle*, kTableCount>& tables,
                         const std::string& dir, const UpgradeOptions& options) {
  rocksdb::ReadOptions read;
  read.readahead_size = 2 << 20;  // bytes; one long sequential read
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, legacy));
  rocksdb::WriteBatch batch;
  uint64_t copied = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    std::optional<Placed> placed = PlaceLegacyKey(key);
    if (!placed) {
      return MakeError(ErrorCode::kInternal,
                       "cannot upgrade the database in " + dir + ": it holds a key of no known " +
                           "kind (starting \"" + std::string(key.substr(0, 2)) +
                           "\"); nothing was changed");
    }
    batch.Put(tables[static_cast<size_t>(placed->table)], placed->key, it->value());
    ++copied;
    if (batch.GetDataSize() >= options.batch_bytes) {
      if (rocksdb::Status s = db->Write(Synced(), &batch); !s.ok()) return FromRocks(s, "upgrade");
      batch.Clear();
      if (options.after_batch) options.after_batch(copied);
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "upgrade");
  // The last copies and the version in one batch: once it is durable, the
  // tables are the truth.
  batch.Put(tables[static_cast<size_t>(Table::kMeta)], dbkey::kSchemaVersion,
            dbkey::Number(kSchemaVersion));
  if (rocksdb::Status s = db->Write(Synced(), &batch); !s.ok()) return FromRocks(s, "upgrade");
  LogInfo("database upgraded", {{"dir", dir},
                                {"from_schema", "1"},
                                {"to_schema", std::to_string(kSchemaVersion)},
                                {"records", std::to_string(copied)}});
  return Status::Ok();
}

}  // namespace

Status UpgradeSchema(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* legacy,
                     const std::array<rocksdb::ColumnFamilyHandle*, kTableCount>& tables,
                     const std::string& dir, const UpgradeOptions& options) {
  rocksdb::ColumnFamilyHandle* meta = tables[static_cast<size_t>(Table::kMeta)];
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), meta, dbkey::kSchemaVersion, &value);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "schema version");
  uint64_t version = 0;  // none recorded: version 1, or a new database
  if (s.ok() && !dbkey::ParseNumber(value, &version)) {
    return MakeError(ErrorCode::kInternal,
                     "cannot open the database in " + dir + ": its schema version is unreadable");
  }
  if (version > kSchemaVersion) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot open the database in " + dir + ": it has schema version " +
                         std::to_string(version) + ", newer than this admin-api reads (" +
                         std::to_string(kSchemaVersion) +
                         "); a newer release wrote it, run that release or a later one");
  }
  rocksdb::Status read;
  bool legacy_records = HasAnyKey(db, legacy, &read);
  if (!read.ok()) return FromRocks(read, "upgrade");
  if (version == 0) {
    if (legacy_records) {
      if (Status copied = CopyLegacyRecords(db, legacy, tables, dir, options); !copied.ok())
        return copied;
    } else {  // a new database
      s = db->Put(Synced(), meta, dbkey::kSchemaVersion, dbkey::Number(kSchemaVersion));
      if (!s.ok()) return FromRocks(s, "schema version");
    }
  }
  if (version == 2) {  // to 3: nothing to convert (schema.h)
    s = db->Put(Synced(), meta, dbkey::kSchemaVersion, dbkey::Number(kSchemaVersion));
    if (!s.ok()) return FromRocks(s, "schema version");
  }
  if (legacy_records) {
    // The version is recorded: the old records are only copies now. Also
    // reached when a previous open stopped between the version and here.
    s = db->DeleteRange(Synced(), legacy, "", "\xff");  // version 1 keys start with a letter
    if (s.ok()) s = db->CompactRange(rocksdb::CompactRangeOptions(), legacy, nullptr, nullptr);
    if (!s.ok()) return FromRocks(s, "upgrade cleanup");
  }
  return Status::Ok();
}

}  // namespace shortlink::admin
