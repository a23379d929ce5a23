// Database::Use::kBulkLoad, as `admin-api import` uses it: no write-ahead
// log, the links land in table files.
#include <catch2/catch.hpp>
#include <filesystem>

#include "link_test_support.h"
#include "links/link_index.h"
#include "links/link_service.h"
#include "store/database.h"

namespace shortlink::admin {
namespace {

constexpr int kLinks = 3000;

// Creates kLinks links through a LinkService on a bulk-load database, then
// calls FinishBulkLoad when `finish` (else the destructor has to).
void BulkLoad(const std::string& dir, bool finish) {
  testing::ServiceOn load(dir, Database::Use::kBulkLoad);
  std::vector<Mutation> creates;
  for (int i = 0; i < kLinks; ++i)
    creates.emplace_back(
        CreateLink{1, "https://example.com/" + std::to_string(i), "bulk" + std::to_string(i)});
  for (const auto& result : load.service->SubmitAndWait(std::move(creates)))
    REQUIRE(result.status.ok());
  load.service.reset();
  if (finish) REQUIRE(load.db->FinishBulkLoad().ok());
}

uint64_t LogBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& file : std::filesystem::directory_iterator(dir))
    if (file.path().extension() == ".log") bytes += file.file_size();
  return bytes;
}

// What a server opening the directory afterwards sees.
void CheckServed(const std::string& dir) {
  testing::ServiceOn served(dir);
  CHECK(served.service->last_seq() == kLinks);
  for (int i = 0; i < kLinks; i += 499) {
    auto link = served.index.Get("bulk" + std::to_string(i));
    REQUIRE(link);
    CHECK(link->long_url == "https://example.com/" + std::to_string(i));
  }
}

}  // namespace

TEST_CASE("a finished bulk load is in table files: the next open replays no log") {
  testing::TempDir dir;
  BulkLoad(dir.path(), /*finish=*/true);
  CHECK(LogBytes(dir.path()) == 0);
  CheckServed(dir.path());
}

TEST_CASE("a bulk load that stops before FinishBulkLoad keeps what it wrote") {
  testing::TempDir dir;
  BulkLoad(dir.path(), /*finish=*/false);
  CHECK(LogBytes(dir.path()) == 0);
  CheckServed(dir.path());
}

}  // namespace shortlink::admin
