// The domains table (store/table.h, Table::kDomains) in a database written
// before domains: such a database has no "domains" column family. It must
// open, keep every link, and start with no domain; domains made then
// survive a restart.
#include <rocksdb/db.h>

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>
#include "drop_table.h"

#include "link_test_support.h"
#include "store/table.h"

namespace shortlink::admin {
namespace {

TEST_CASE("domains: a database without the domains table opens, links kept, no domain",
          "[domains][store]") {
  testing::TempDir dir;
  {
    testing::ServiceOn s(dir.path());
    REQUIRE(s.One(CreateLink{1, "https://example.com/kept", "kept"}).status.ok());
  }
  testing::DropTable(dir.path(), Table::kDomains);
  {
    testing::ServiceOn s(dir.path());
    CHECK(s.index.Get("kept")->long_url == "https://example.com/kept");
    CHECK(s.service->domains().size() == 0);
    REQUIRE(s.One(PutDomain{DomainRecord{"new.example.com", 1}, true}).status.ok());
    CHECK(s.service->last_seq() == 2);
  }
  testing::ServiceOn restarted(dir.path());
  CHECK(restarted.service->domains().Get("new.example.com"));
  CHECK(restarted.index.Get("kept"));
}

}  // namespace
}  // namespace shortlink::admin
