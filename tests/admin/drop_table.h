// Drops one table (column family) of a closed database: the database as a
// release from before that table left it, its other tables as they were. For
// the tests that a new table's absence is an upgrade admin-api takes.
#pragma once

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "store/table.h"

namespace shortlink::testing {

inline void DropTable(const std::string& dir, admin::Table table) {
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  bool dropped = false;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == admin::TableName(table)) {
      REQUIRE(db->DropColumnFamily(handles[i]).ok());
      dropped = true;
    }
  }
  CHECK(dropped);
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
}

}  // namespace shortlink::testing
