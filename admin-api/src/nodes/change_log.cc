#include "nodes/change_log.h"

#include "common/change.h"
#include "store/db_keys.h"

namespace shortlink::admin {

Result<size_t> ReadChanges(Database* db, uint64_t after, size_t limit, std::string* out) {
  size_t count = 0;
  uint64_t expected = after + 1;
  bool gone = false;
  std::string start = dbkey::Change(expected);
  rocksdb::ReadOptions options;
  std::unique_ptr<rocksdb::Iterator> it(db->raw()->NewIterator(options));
  for (it->Seek(start); it->Valid() && count < limit; it->Next()) {
    rocksdb::Slice key = it->key();
    if (!key.starts_with(rocksdb::Slice(dbkey::kChangePrefix.data(), dbkey::kChangePrefix.size())))
      break;
    uint64_t seq = wire::GetFixed64BE(key.data() + dbkey::kChangePrefix.size());
    if (seq != expected) {
      // The log was compacted past what the node asks for.
      gone = count == 0;
      break;
    }
    AppendFrame(std::string_view(it->value().data(), it->value().size()), out);
    ++count;
    ++expected;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read changes");
  if (gone)
    return MakeError(ErrorCode::kGone,
                     "The change log no longer holds these changes; take a snapshot.");
  return count;
}

SnapshotReader::SnapshotReader(Database* db) : db_(db), snapshot_(db->raw()->GetSnapshot()) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  std::string value;
  if (db_->raw()->Get(options, dbkey::Meta(dbkey::kLastSeq), &value).ok() && value.size() == 8) {
    seq_ = wire::GetFixed64BE(value.data());
  }
  options.readahead_size = 2 << 20;  // bytes: a snapshot is one long sequential read
  it_.reset(db_->raw()->NewIterator(options));
  it_->Seek(rocksdb::Slice(dbkey::kLinkPrefix.data(), dbkey::kLinkPrefix.size()));
}

SnapshotReader::~SnapshotReader() {
  it_.reset();
  db_->raw()->ReleaseSnapshot(snapshot_);
}

Result<bool> SnapshotReader::Next(size_t min_bytes, std::string* out) {
  rocksdb::Slice prefix(dbkey::kLinkPrefix.data(), dbkey::kLinkPrefix.size());
  while (out->size() < min_bytes && it_->Valid() && it_->key().starts_with(prefix)) {
    AppendFrame(std::string_view(it_->value().data(), it_->value().size()), out);
    it_->Next();
  }
  if (!it_->status().ok()) return FromRocks(it_->status(), "snapshot");
  return it_->Valid() && it_->key().starts_with(prefix);
}

}  // namespace shortlink::admin
