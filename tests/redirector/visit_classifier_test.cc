// The collector's classification of visits (clicks/visit_classifier.h),
// with the real uap-core regexes and Debian's tor-geoipdb.
#include "clicks/visit_classifier.h"

#include <catch2/catch.hpp>
#include <map>

namespace shortlink::redirector {
namespace {

constexpr int64_t kNoon = 1'796'644'800'000;  // 2026-12-07 12:00 UTC, in ms
const char* kIphone =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
const char* kWindowsChrome =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36";

VisitClassifier& Classifier() {
  static auto classifier = VisitClassifier::Open({});
  REQUIRE(classifier.ok());
  return **classifier;
}

// dimension -> value -> count for link key `link` in `tally`.
std::map<int, std::map<std::string, uint64_t>> Dimensions(const VisitTally& tally,
                                                          std::string_view link) {
  std::map<int, std::map<std::string, uint64_t>> out;
  tally.ForEachCount(link, [&](VisitTally::ValueId id, uint64_t n) {
    out[tally.dimension_of(id)][tally.value_of(id)] += n;
  });
  return out;
}

}  // namespace

TEST_CASE("a click is counted with one value in every dimension") {
  VisitTally tally;
  VisitRecord v;
  v.code = "abc";
  v.user_agent = kIphone;
  v.address = std::string_view("\x08\x08\x08\x08", 4);
  v.referer = "https://www.news.example/story";
  v.accept_language = "de-DE,de;q=0.9,en;q=0.8";
  v.query = "utm_source=Newsletter&x=1";
  Classifier().Add(v, kNoon, &tally);
  CHECK(tally.clicks("abc") == 1);
  auto dims = Dimensions(tally, "abc");
  CHECK(dims[kClickHour] ==
        std::map<std::string, uint64_t>{{std::to_string(kNoon / 3'600'000), 1}});
  CHECK(dims[kClickDeviceClass] == std::map<std::string, uint64_t>{{"mobile", 1}});
  CHECK(dims[kClickOs] == std::map<std::string, uint64_t>{{"iOS 17", 1}});
  CHECK(dims[kClickBrowser] == std::map<std::string, uint64_t>{{"Mobile Safari", 1}});
  CHECK(dims[kClickBrand] == std::map<std::string, uint64_t>{{"Apple", 1}});
  CHECK(dims[kClickLanguage] == std::map<std::string, uint64_t>{{"de-de", 1}});
  CHECK(dims[kClickReferrerHost] == std::map<std::string, uint64_t>{{"news.example", 1}});
  CHECK(dims[kClickSource] == std::map<std::string, uint64_t>{{"newsletter", 1}});
  CHECK(dims[kClickVisitor] == std::map<std::string, uint64_t>{{"unique", 1}});
  REQUIRE(dims[kClickCountry].size() == 1);
  CHECK(dims[kClickCountry].begin()->first.size() == 2);  // what today's tor-geoipdb says
  CHECK(dims.count(kClickBot) == 0);
}

TEST_CASE("the same visitor on the same link and day is a repeat, and unique again the next day") {
  VisitTally tally;
  VisitRecord v;
  v.code = "rep";
  v.user_agent = kWindowsChrome;
  v.address = std::string_view("\x0a\x01\x02\x03", 4);
  Classifier().Add(v, kNoon, &tally);
  Classifier().Add(v, kNoon + 1000, &tally);
  VisitRecord other = v;
  other.address = std::string_view("\x0a\x01\x02\x04", 4);
  Classifier().Add(other, kNoon + 2000, &tally);
  Classifier().Add(v, kNoon + 24 * 3'600'000, &tally);
  auto dims = Dimensions(tally, "rep");
  CHECK(tally.clicks("rep") == 4);
  CHECK(dims[kClickVisitor] == std::map<std::string, uint64_t>{{"unique", 3}, {"repeat", 1}});
  CHECK(dims[kClickHour].size() == 2);
}

TEST_CASE("a tally's clicks are handed over per link, and merged tallies add them up") {
  VisitTally first, second;
  VisitRecord v;
  v.code = "sum";
  v.user_agent = kIphone;
  Classifier().Add(v, kNoon, &first);
  Classifier().Add(v, kNoon + 1, &first);
  Classifier().Add(v, kNoon + 2, &second);
  VisitRecord bot = v;
  bot.code = "botonly";
  bot.bot = true;
  bot.user_agent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
  Classifier().Add(bot, kNoon, &second);
  first.Merge(second);
  std::map<std::string, uint64_t> handed;
  first.ForEachLinkClicks([&](std::string_view key, uint64_t n) { handed[std::string(key)] += n; });
  CHECK(handed == std::map<std::string, uint64_t>{{"sum", 3}});  // the bot-only link has none
  CHECK(Dimensions(first, "sum")[kClickVisitor] ==
        std::map<std::string, uint64_t>{{"unique", 1}, {"repeat", 2}});
}

TEST_CASE(
    "visits sending the same headers share their values, and a utm_source still names its own "
    "source") {
  VisitTally tally;
  VisitRecord v;
  v.code = "hdr";
  v.user_agent = kIphone;
  v.referer = "https://www.Search.example/q?x=1";
  v.accept_language = "pt-BR,pt;q=0.9";
  Classifier().Add(v, kNoon, &tally);
  Classifier().Add(v, kNoon + 1, &tally);  // the same pair again: from what the first gave
  VisitRecord tagged = v;
  tagged.query = "utm_source=Mail";
  Classifier().Add(tagged, kNoon + 2, &tally);
  VisitRecord plain_query = v;
  plain_query.query = "ref=7";
  Classifier().Add(plain_query, kNoon + 3, &tally);
  auto dims = Dimensions(tally, "hdr");
  CHECK(dims[kClickLanguage] == std::map<std::string, uint64_t>{{"pt-br", 4}});
  CHECK(dims[kClickReferrerHost] == std::map<std::string, uint64_t>{{"search.example", 4}});
  CHECK(dims[kClickSource] == std::map<std::string, uint64_t>{{"search.example", 3}, {"mail", 1}});
  // The same headers in a new tally are interned there afresh.
  VisitTally next;
  Classifier().Add(v, kNoon + 4, &next);
  CHECK(Dimensions(next, "hdr")[kClickReferrerHost] ==
        std::map<std::string, uint64_t>{{"search.example", 1}});
}

TEST_CASE("a bot visit is counted apart by bot name, never as a click") {
  VisitTally tally;
  VisitRecord v;
  v.bot = true;
  v.domain = "go.example";
  v.code = "abc";
  v.user_agent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
  Classifier().Add(v, kNoon, &tally);
  std::string link = ClickKey("go.example", "abc");
  CHECK(tally.clicks(link) == 0);
  CHECK(Dimensions(tally, link)[kClickBot] == std::map<std::string, uint64_t>{{"Googlebot", 1}});
}

TEST_CASE("a visit with no headers at all is counted with the unknown values") {
  VisitTally tally;
  VisitRecord v;
  v.code = "bare";
  Classifier().Add(v, kNoon, &tally);
  auto dims = Dimensions(tally, "bare");
  CHECK(tally.clicks("bare") == 1);
  CHECK(dims[kClickCountry] == std::map<std::string, uint64_t>{{"ZZ", 1}});
  CHECK(dims[kClickLanguage] == std::map<std::string, uint64_t>{{"none", 1}});
  CHECK(dims[kClickReferrerHost] == std::map<std::string, uint64_t>{{"direct", 1}});
  CHECK(dims[kClickSource] == std::map<std::string, uint64_t>{{"direct", 1}});
  CHECK(dims[kClickBrowser] == std::map<std::string, uint64_t>{{"Other", 1}});
}

TEST_CASE("a missing geo database or regex file stops the classifier from opening") {
  VisitClassifierOptions options;
  options.geoip_db = "/nonexistent/geo.mmdb";
  CHECK_FALSE(VisitClassifier::Open(options).ok());
  options = {};
  options.user_agent_regexes = "/nonexistent/regexes.yaml";
  CHECK_FALSE(VisitClassifier::Open(options).ok());
}

}  // namespace shortlink::redirector
