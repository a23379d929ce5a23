// Changes a closed database with RocksDB itself, as another release would
// have left it: one table (column family) dropped, the others as they were
// (for the tests that a new table's absence is an upgrade admin-api takes),
// or a key written into a table.
#pragma once

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/table.h"

namespace shortlink::testing {

// Opens the closed database in `dir` with every column family and calls
// fn(const std::string& name, rocksdb::ColumnFamilyHandle*, rocksdb::DB*) per family.
template <typename Fn>
void WithRawTables(const std::string& dir, Fn&& fn) {
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (size_t i = 0; i < names.size(); ++i) fn(names[i], handles[i], db.get());
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
}

inline void DropTable(const std::string& dir, admin::Table table) {
  bool dropped = false;
  WithRawTables(dir,
                [&](const std::string& name, rocksdb::ColumnFamilyHandle* handle, rocksdb::DB* db) {
                  if (name != admin::TableName(table)) return;
                  REQUIRE(db->DropColumnFamily(handle).ok());
                  dropped = true;
                });
  CHECK(dropped);
}

inline void PutRaw(const std::string& dir, admin::Table table, std::string_view key,
                   std::string_view value) {
  bool put = false;
  WithRawTables(dir,
                [&](const std::string& name, rocksdb::ColumnFamilyHandle* handle, rocksdb::DB* db) {
                  if (name != admin::TableName(table)) return;
                  REQUIRE(db->Put(rocksdb::WriteOptions(), handle, key, value).ok());
                  put = true;
                });
  CHECK(put);
}

}  // namespace shortlink::testing
