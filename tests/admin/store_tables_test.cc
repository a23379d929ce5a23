// The store's tables, batches, cursors and read views (store/database.h),
// on a real RocksDB in a temporary directory.
#include <catch2/catch.hpp>

#include "link_test_support.h"
#include "store/database.h"
#include "store/db_keys.h"

namespace shortlink::admin {
namespace {

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<Database> db = std::move(Database::Open(dir.path())).value();

  std::optional<std::string> Get(Table table, std::string_view key,
                                 const ReadView* view = nullptr) {
    return db->Get(table, key, view).value();
  }
  std::vector<std::string> Keys(Table table, std::string_view prefix) {
    std::vector<std::string> keys;
    REQUIRE(db->Scan(table, prefix, [&](std::string_view key, std::string_view) {
                keys.emplace_back(key);
                return true;
              }).ok());
    return keys;
  }
};

}  // namespace

TEST_CASE("each table is a key space of its own, and one batch spans them", "[store]") {
  Fixture f;
  WriteBatch batch(*f.db);
  batch.Put(Table::kUsers, "same", "a user");
  batch.Put(Table::kKeys, "same", "a key");
  batch.Put(Table::kMeta, "gone", "x");
  batch.Delete(Table::kMeta, "gone");
  CHECK(batch.Count() == 4);
  REQUIRE(f.db->Write(&batch).ok());
  CHECK(f.Get(Table::kUsers, "same") == "a user");
  CHECK(f.Get(Table::kKeys, "same") == "a key");
  CHECK_FALSE(f.Get(Table::kEmails, "same"));
  CHECK_FALSE(f.Get(Table::kMeta, "gone"));
  CHECK(f.Keys(Table::kUsers, "") == std::vector<std::string>{"same"});
}

TEST_CASE("a domain's link keys scan in code order, apart from other domains", "[store]") {
  Fixture f;
  WriteBatch batch(*f.db);
  for (auto [domain, code] : {std::pair{"", "zeta"},
                              {"a.example", "beta"},
                              {"", "alpha"},
                              {"a.example.org", "aaa"},
                              {"a.example", "alpha"},
                              {"b.example", "alpha"}})
    batch.Put(Table::kLinks, dbkey::Link(domain, code), code);
  REQUIRE(f.db->Write(&batch).ok());

  auto codes_of = [&](std::string_view domain) {
    std::vector<std::string> codes;
    for (const auto& key : f.Keys(Table::kLinks, dbkey::LinkDomainPrefix(domain))) {
      std::string_view key_domain, code;
      REQUIRE(dbkey::ParseLink(key, &key_domain, &code));
      CHECK(key_domain == domain);
      codes.emplace_back(code);
    }
    return codes;
  };
  CHECK(codes_of("") == std::vector<std::string>{"alpha", "zeta"});
  // "a.example.org" starts with "a.example", but not with "a.example\0".
  CHECK(codes_of("a.example") == std::vector<std::string>{"alpha", "beta"});
  CHECK(codes_of("a.example.org") == std::vector<std::string>{"aaa"});
  CHECK(codes_of("c.example").empty());
  CHECK(dbkey::Link("", "abc") == std::string("\0abc", 4));

  std::string_view domain, code;
  CHECK_FALSE(dbkey::ParseLink("no-separator", &domain, &code));
}

TEST_CASE("a read view sees the tables as they were when it was made", "[store]") {
  Fixture f;
  auto put = [&](Table table, std::string_view key, std::string_view value) {
    WriteBatch batch(*f.db);
    batch.Put(table, key, value);
    REQUIRE(f.db->Write(&batch).ok());
  };
  put(Table::kChanges, dbkey::Change(1), "one");
  put(Table::kMeta, dbkey::kLastSeq, dbkey::Number(1));
  auto view = f.db->NewReadView();
  put(Table::kChanges, dbkey::Change(2), "two");
  put(Table::kMeta, dbkey::kLastSeq, dbkey::Number(2));

  CHECK(f.db->GetNumber(Table::kMeta, dbkey::kLastSeq, view.get()) == 1);
  CHECK(f.db->GetNumber(Table::kMeta, dbkey::kLastSeq) == 2);
  CHECK(f.db->GetNumber(Table::kMeta, "absent") == 0);

  Cursor then = f.db->NewCursor(Table::kChanges, view.get());
  std::vector<std::string> values;
  for (then.Seek(""); then.Valid(); then.Next()) values.emplace_back(then.value());
  CHECK(then.status().ok());
  CHECK(values == std::vector<std::string>{"one"});

  Cursor now = f.db->NewCursor(Table::kChanges);
  now.Seek(dbkey::Change(2));
  REQUIRE(now.Valid());
  CHECK(now.key() == dbkey::Change(2));
  CHECK(now.value() == "two");
  now.Next();
  CHECK_FALSE(now.Valid());
}

}  // namespace shortlink::admin
