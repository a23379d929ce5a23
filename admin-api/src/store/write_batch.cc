#include "store/write_batch.h"

#include <rocksdb/write_batch.h>

#include "store/database.h"

namespace shortlink::admin {

WriteBatch::WriteBatch(const Database& db)
    : db_(&db), rep_(std::make_unique<rocksdb::WriteBatch>()) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;

void WriteBatch::Put(Table table, std::string_view key, std::string_view value) {
  rep_->Put(db_->handle(table), rocksdb::Slice(key.data(), key.size()),
            rocksdb::Slice(value.data(), value.size()));
}

void WriteBatch::Delete(Table table, std::string_view key) {
  rep_->Delete(db_->handle(table), rocksdb::Slice(key.data(), key.size()));
}

void WriteBatch::Merge(Table table, std::string_view key, std::string_view operand) {
  rep_->Merge(db_->handle(table), rocksdb::Slice(key.data(), key.size()),
              rocksdb::Slice(operand.data(), operand.size()));
}

void WriteBatch::DeleteRange(Table table, std::string_view begin, std::string_view end) {
  rep_->DeleteRange(db_->handle(table), rocksdb::Slice(begin.data(), begin.size()),
                    rocksdb::Slice(end.data(), end.size()));
}

size_t WriteBatch::Count() const { return rep_->Count(); }
size_t WriteBatch::Bytes() const { return rep_->GetDataSize(); }

}  // namespace shortlink::admin
