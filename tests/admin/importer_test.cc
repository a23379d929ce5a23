// The CSV importer (links/importer.h) over a real LinkService on a temporary
// RocksDB: which rows it imports, which it refuses and how it reports them
// ("line N: reason", as `admin-api import` prints them), the header forms it
// takes, and its progress calls.
#include "links/importer.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "auth/principal.h"
#include "link_test_support.h"

namespace shortlink::admin {
namespace {

constexpr int64_t kNowMs = 1'800'000'000'000;
const auth::Principal kAlice = auth::PersonalPrincipal(1, auth::Role::kMember);

struct Fixture : testing::ServiceFixture {
  Result<ImportReport> Import(const std::string& csv, const auth::Principal& principal = kAlice) {
    std::istringstream in(csv);
    return ImportCsv(in, principal, policy, service.get(), kNowMs,
                     [this](uint64_t rows) { progress.push_back(rows); });
  }

  UrlPolicy policy{"go.example", DefaultShortenerBlocklist()};
  std::vector<uint64_t> progress;
};

}  // namespace

TEST_CASE("good rows are imported, bad ones reported by line", "[importer]") {
  Fixture f;
  REQUIRE(f.One(CreateLink{2, "https://example.com/bob", "taken"}).status.ok());
  auto report = f.Import(
      "shortUrl,longUrl\n"
      "Good-1,https://example.com/1\n"            // line 2: imported, normalized
      ",https://example.com/2\n"                  // line 3: a random code
      "bad code,https://example.com/3\n"          // line 4: a bad code
      "bad-url,ftp://example.com/4\n"             // line 5: not https
      "own,https://go.example/loop\n"             // line 6: our own domain
      "\n"                                        // line 7: blank, not a row
      "good-1,https://example.com/dup\n"          // line 8: a duplicate in the file
      "taken,https://example.com/taken\n"         // line 9: another user's code
      "one-field\n"                               // line 10: one field
      "\"quoted,comma\",https://example.com/q\n"  // line 11: a bad code, quoted
      "\"unterminated,https://example.com/u\n"    // line 12: an open quote
      "good-2,\"https://example.com/a,b\"\n");    // line 13: imported, comma kept
  REQUIRE(report.ok());
  CHECK(report->rows == 11);
  CHECK(report->imported == 3);
  CHECK(report->rejected_total == 8);
  REQUIRE(report->rejected.size() == 8);
  // Refused while read, in file order; refused by the writer, after them.
  CHECK_THAT(report->rejected[0], Catch::StartsWith("line 4: "));
  CHECK_THAT(report->rejected[1], Catch::StartsWith("line 5: "));
  CHECK_THAT(report->rejected[2], Catch::StartsWith("line 6: "));
  CHECK(report->rejected[3] == "line 10: expected two fields: shortUrl,longUrl");
  CHECK_THAT(report->rejected[4], Catch::StartsWith("line 11: "));
  CHECK(report->rejected[5] == "line 12: expected two fields: shortUrl,longUrl");
  CHECK(report->rejected[6] == "line 8: Short link \"good-1\" is already used.");
  CHECK(report->rejected[7] == "line 9: Short link \"taken\" is already used.");

  auto good = f.index.Get("good-1");
  REQUIRE(good);
  CHECK(good->long_url == "https://example.com/1");
  CHECK(good->owner == kAlice.user);
  CHECK(f.index.Get("good-2")->long_url == "https://example.com/a,b");
  CHECK(f.index.Get("taken")->owner == 2u);
  CHECK(f.index.List({kAlice.user}).count == 3);
  CHECK(f.progress == std::vector<uint64_t>{11});
}

TEST_CASE("the header: a BOM and CRLF are taken, anything else refused", "[importer]") {
  Fixture f;
  auto spreadsheet =
      f.Import("\xEF\xBB\xBFshortUrl,longUrl\r\nfrom-excel,https://example.com/\r\n");
  REQUIRE(spreadsheet.ok());
  CHECK(spreadsheet->imported == 1);
  CHECK(f.index.Get("from-excel")->long_url == "https://example.com/");  // no \r kept

  for (const char* csv : {"", "longUrl,shortUrl\nx,https://example.com/\n",
                          "shortUrl,longUrl,title\n", "shorturl,longurl\n", "shortUrl\n"}) {
    INFO(csv);
    auto refused = f.Import(csv);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::kInvalidArgument);
  }
  CHECK(f.index.size() == 1);

  auto header_only = f.Import("shortUrl,longUrl\n");
  REQUIRE(header_only.ok());
  CHECK(header_only->rows == 0);
  CHECK(header_only->imported == 0);
}

TEST_CASE("a third column puts links on the team's custom domains", "[importer]") {
  Fixture f;
  REQUIRE(f.One(PutDomain{DomainRecord{"go.acme.org", kAlice.team}, true}).status.ok());
  REQUIRE(f.One(PutDomain{DomainRecord{"other.org", kAlice.team + 1}, true}).status.ok());
  auto report = f.Import(
      "shortUrl,longUrl,domain\n"
      "same,https://example.com/default,\n"
      "same,https://example.com/custom,GO.Acme.org.\n"  // normalized: case, trailing dot
      "theirs,https://example.com/x,other.org\n"        // another team's domain
      "nowhere,https://example.com/y,missing.org\n"     // no such domain
      "bad,https://example.com/z,not a host\n"
      "short,https://example.com/w\n");  // two fields under a three-column header
  REQUIRE(report.ok());
  CHECK(report->imported == 2);
  CHECK(report->rejected_total == 4);
  CHECK(f.index.Get(LinkKey{"", "same"})->long_url == "https://example.com/default");
  CHECK(f.index.Get(LinkKey{"go.acme.org", "same"})->long_url == "https://example.com/custom");
  CHECK_FALSE(f.index.Get(LinkKey{"other.org", "theirs"}));
  CHECK_FALSE(f.index.Get(LinkKey{"missing.org", "nowhere"}));
  REQUIRE(report->rejected.size() == 4);
  bool told = false;  // rows refused when read and when committed come in either order
  for (const std::string& why : report->rejected)
    told = told || (why.find("line 7") == 0 && why.find("three fields") != std::string::npos);
  CHECK(told);
}

TEST_CASE("progress is reported per group committed, and at the end", "[importer]") {
  Fixture f;
  std::string csv = "shortUrl,longUrl\n";
  for (int i = 0; i < 5000; ++i) csv += "c" + std::to_string(i) + ",https://example.com/\n";
  auto report = f.Import(csv);
  REQUIRE(report.ok());
  CHECK(report->imported == 5000);
  CHECK(f.index.size() == 5000);
  CHECK(f.progress == std::vector<uint64_t>{4096, 5000});
}

TEST_CASE("at most kMaxRejectedShown refusals are kept, all are counted", "[importer]") {
  Fixture f;
  std::string csv = "shortUrl,longUrl\n";
  for (size_t i = 0; i < kMaxRejectedShown + 5; ++i) csv += ",http://example.com/\n";
  auto report = f.Import(csv);
  REQUIRE(report.ok());
  CHECK(report->rejected_total == kMaxRejectedShown + 5);
  CHECK(report->rejected.size() == kMaxRejectedShown);
  CHECK(report->imported == 0);
}

TEST_CASE("a principal that may not create links imports nothing", "[importer]") {
  Fixture f;
  auto refused = f.Import("shortUrl,longUrl\nx,https://example.com/\n",
                          auth::PersonalPrincipal(1, auth::Role::kViewer));
  REQUIRE_FALSE(refused.ok());
  CHECK(f.index.size() == 0);
}

}  // namespace shortlink::admin
