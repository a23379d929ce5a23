// Database::Checkpoint (store/checkpoint.cc): the copy POST /api/v1/backups
// makes while admin-api serves, on a real RocksDB in temporary directories.
#include <catch2/catch.hpp>
#include <filesystem>

#include "store/database.h"
#include "support/temp_dir.h"

namespace shortlink::admin {
namespace {

void Put(Database& db, Table table, const std::string& key, const std::string& value) {
  WriteBatch batch(db);
  batch.Put(table, key, value);
  REQUIRE(db.Write(&batch).ok());
}

std::optional<std::string> Get(Database& db, Table table, const std::string& key) {
  return db.Get(table, key).value();
}

}  // namespace

TEST_CASE("a checkpoint opens as a database holding every table as it was then", "[store]") {
  testing::TempDir dir;
  auto db = std::move(Database::Open(dir.sub("data"))).value();
  Put(*db, Table::kLinks, "kept", "a link");
  Put(*db, Table::kUsers, "kept", "a user");
  uint64_t sequence = 0;
  REQUIRE(db->Checkpoint(dir.sub("backup"), &sequence).ok());
  CHECK(sequence >= 2);
  Put(*db, Table::kLinks, "later", "after the backup");
  Put(*db, Table::kUsers, "kept", "changed after the backup");

  // Opened while the original is still open: a database of its own.
  auto restored = Database::Open(dir.sub("backup"));
  REQUIRE(restored.ok());
  CHECK(Get(**restored, Table::kLinks, "kept") == "a link");
  CHECK(Get(**restored, Table::kUsers, "kept") == "a user");
  CHECK_FALSE(Get(**restored, Table::kLinks, "later"));
  CHECK(Get(*db, Table::kUsers, "kept") == "changed after the backup");
}

TEST_CASE("a checkpoint into a directory that exists is refused and leaves it alone", "[store]") {
  testing::TempDir dir;
  auto db = std::move(Database::Open(dir.sub("data"))).value();
  Put(*db, Table::kLinks, "a", "b");
  std::filesystem::create_directories(dir.sub("taken"));
  Status s = db->Checkpoint(dir.sub("taken"), nullptr);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::kStateConflict);
  CHECK(std::filesystem::is_empty(dir.sub("taken")));
}

}  // namespace shortlink::admin
