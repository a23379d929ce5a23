// Database::Checkpoint: a consistent copy taken while admin-api serves
// (ops/backup_routes.h; docs/operations.md, "Backup and restore").
#include <rocksdb/utilities/checkpoint.h>

#include <filesystem>
#include <memory>

#include "store/database.h"

namespace shortlink::admin {

Status Database::Checkpoint(const std::string& dir, uint64_t* sequence) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec))
    return MakeError(ErrorCode::kStateConflict, "A backup named " + dir + " exists already.");
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return FromRocks(s, "checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: always flush first, so the copy is table files
  // only (hard links, no bytes copied) and never a live log of up to
  // max_total_wal_size. RocksDB writes into dir + ".tmp" and renames it:
  // a checkpoint interrupted half-way never looks like a finished one.
  uint64_t seq = 0;
  s = checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0, &seq);
  if (!s.ok()) {
    std::filesystem::remove_all(dir + ".tmp", ec);
    return FromRocks(s, "checkpoint");
  }
  if (sequence) *sequence = seq;
  return Status::Ok();
}

}  // namespace shortlink::admin
