// The /v1 envelope and answers (admin-api/src/shortenworld/answers.h), the
// dd/MM/yyyy dates (day_month_year.h) and page titles (page_title.h).
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "shortenworld/answers.h"
#include "shortenworld/day_month_year.h"
#include "shortenworld/page_title.h"

namespace shortlink::admin::shortenworld {
namespace {

constexpr int64_t kNow = 1'893'456'000'000;  // 2030-01-01T00:00:00Z

boost::json::object Parse(std::string_view json) { return boost::json::parse(json).as_object(); }

TEST_CASE("success puts status code 0 first and the data beside it", "[shortenworld]") {
  std::string body = SuccessBody(Parse(R"({"token": {"access_token": "a"}, "status": "x"})"), kNow);
  CHECK(body ==
        R"({"status":{"code":0,"message":"Success","timestamp":"2030-01-01T00:00:00.000Z"},)"
        R"("token":{"access_token":"a"}})");
}

TEST_CASE("a refusal carries its HTTP status and the route's message", "[shortenworld]") {
  CHECK(ErrorBody(403, R"({"message": "This API key may not POST on urls."})", kNow) ==
        R"({"status":{"code":403,"message":"This API key may not POST on urls.",)"
        R"("timestamp":"2030-01-01T00:00:00.000Z"}})");
  // No message of the route's own: the status's reason phrase.
  CHECK(Parse(ErrorBody(429, "", kNow))["status"].as_object()["message"] == "Too Many Requests");
  CHECK(Parse(ErrorBody(500, "not json", kNow))["status"].as_object()["code"] == 500);
}

TEST_CASE("a link is answered with its linkId code shortLink and destination", "[shortenworld]") {
  auto plain = LinkAnswer(Parse(R"({"shortUrl": "r", "longUrl": "https://e.com/", "clicks": 3,
      "title": "T"})"),
                          "https://sho.rt");
  CHECK(plain == Parse(R"({"id": "r", "code": "r", "shortLink": "https://sho.rt/r",
      "destination": "https://e.com/", "clicks": 3, "title": "T"})"));
  auto custom = LinkAnswer(Parse(R"({"shortUrl": "r", "longUrl": "https://e.com/",
      "domain": "go.example.com"})"),
                           "https://sho.rt");
  CHECK(custom["id"] == "go.example.com/r");
  CHECK(custom["shortLink"] == "https://go.example.com/r");
  CHECK(custom["domain"] == "go.example.com");
}

TEST_CASE("list answers carry items total page and size", "[shortenworld]") {
  CHECK(ListAnswer(Parse(R"({"items": [1, 2], "total": 7, "page": 3, "size": 2})"), "teams", 3,
                   2) == Parse(R"({"teams": [1, 2], "total": 7, "page": 3, "size": 2})"));
  CHECK(ListAnswer(Parse(R"({"urls": [], "count": 0})"), "links", 0, 20) ==
        Parse(R"({"links": [], "total": 0, "page": 0, "size": 20})"));
}

TEST_CASE("dd/MM/yyyy dates become ISO instants at midnight UTC", "[shortenworld]") {
  CHECK(DayMonthYearToIso("31/01/2030", "date").value() == "2030-01-31T00:00:00Z");
  CHECK(DayMonthYearToIso("29/02/2028", "date").value() == "2028-02-29T00:00:00Z");
  for (std::string_view bad : {"29/02/2030", "31/04/2030", "00/01/2030", "01/13/2030", "1/1/2030",
                               "2030-01-31", "31/01/30", "01/01/1970", "aa/bb/cccc"}) {
    INFO(bad);
    auto iso = DayMonthYearToIso(bad, "date");
    REQUIRE_FALSE(iso.ok());
    CHECK(iso.error().message == "date must be a date as dd/MM/yyyy, like 31/01/2030.");
  }
}

TEST_CASE("the page title is the first title element decoded and tidied", "[shortenworld]") {
  CHECK(ExtractTitle("<html><head><TITLE>\n  Spring &amp; Summer\t Sale </TITLE>", 200) ==
        "Spring & Summer Sale");
  CHECK(ExtractTitle(
            "<title lang=\"en\">&lt;b&gt; &quot;x&quot; &#39;y&apos; &#233; &#x263A;</title>",
            200) == "<b> \"x\" 'y' \xC3\xA9 \xE2\x98\xBA");
  CHECK(ExtractTitle("<titles>no</titles><title>yes</title>", 200) == "yes");
  CHECK(ExtractTitle("<title>cut off by the size cap", 200).empty());
  CHECK(ExtractTitle("<p>no title</p>", 200).empty());
  CHECK(ExtractTitle("<title>\xC0\xAF</title>", 200).empty());  // not UTF-8
  CHECK(ExtractTitle("<title>a\x01"
                     "b &unknown; &#0;</title>",
                     200) == "ab &unknown;");
  // Cut at a character boundary: "é" is two bytes and does not fit in 4.
  CHECK(ExtractTitle("<title>abc\xC3\xA9</title>", 4) == "abc");
  CHECK(ExtractTitle("<title>ab cd</title>", 3) == "ab");
}

}  // namespace
}  // namespace shortlink::admin::shortenworld
