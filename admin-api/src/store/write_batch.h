// WriteBatch: puts and deletes across tables that Database::Write applies
// all together or not at all.
//
// Made for one database (it names that database's tables) and filled by one
// thread; not safe for concurrent use.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "store/table.h"

namespace rocksdb {
class WriteBatch;
}

namespace shortlink::admin {

class Database;

class WriteBatch {
 public:
  explicit WriteBatch(const Database& db);
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;

  void Put(Table table, std::string_view key, std::string_view value);
  void Delete(Table table, std::string_view key);
  // Adds `operand` to the value at `key` with the table's merge operator
  // (only tables that have one: Table::kAnalytics, store/analytics_keys.h).
  void Merge(Table table, std::string_view key, std::string_view operand);
  // Deletes every key in [begin, end).
  void DeleteRange(Table table, std::string_view begin, std::string_view end);
  size_t Count() const;  // puts and deletes so far
  size_t Bytes() const;  // their encoded size

 private:
  friend class Database;
  const Database* db_;
  std::unique_ptr<rocksdb::WriteBatch> rep_;
};

}  // namespace shortlink::admin
