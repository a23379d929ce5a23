#include "store/cursor.h"

#include <rocksdb/db.h>

#include "store/database.h"

namespace shortlink::admin {

ReadView::~ReadView() { db_->db_->ReleaseSnapshot(snapshot_); }

Cursor::Cursor(std::unique_ptr<rocksdb::Iterator> it) : it_(std::move(it)) {}
Cursor::~Cursor() = default;
Cursor::Cursor(Cursor&&) noexcept = default;
Cursor& Cursor::operator=(Cursor&&) noexcept = default;

void Cursor::Seek(std::string_view key) { it_->Seek(rocksdb::Slice(key.data(), key.size())); }
bool Cursor::Valid() const { return it_->Valid(); }
void Cursor::Next() { it_->Next(); }
std::string_view Cursor::key() const { return {it_->key().data(), it_->key().size()}; }
std::string_view Cursor::value() const { return {it_->value().data(), it_->value().size()}; }

Status Cursor::status() const {
  if (!it_->status().ok()) return FromRocks(it_->status(), "read");
  return Status::Ok();
}

}  // namespace shortlink::admin
