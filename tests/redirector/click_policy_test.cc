// The one click policy (rules/click_policy.h): what a visit counts as, on
// its own and as the responder applies it to plain and ruled links alike.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "edge/request_head.h"
#include "edge/responder.h"
#include "responder_options.h"
#include "rules/click_policy.h"
#include "table/edge_rules.h"
#include "table/link_table.h"

namespace shortlink::redirector {
namespace {

constexpr std::string_view kBrowser = "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0 Safari/537.36";
constexpr std::string_view kCrawler = "Mozilla/5.0 (compatible; Googlebot/2.1)";

}  // namespace

TEST_CASE("click policy: people at a destination click, HEAD and bots are bot hits",
          "[click_policy]") {
  CHECK(CountVisit(VisitEnd::kDestination, VisitMethod::kGet, kBrowser) == VisitCount::kClick);
  CHECK(CountVisit(VisitEnd::kDestination, VisitMethod::kPost, kBrowser) == VisitCount::kClick);
  CHECK(CountVisit(VisitEnd::kDestination, VisitMethod::kGet, "") == VisitCount::kClick);
  CHECK(CountVisit(VisitEnd::kDestination, VisitMethod::kHead, kBrowser) == VisitCount::kBot);
  CHECK(CountVisit(VisitEnd::kDestination, VisitMethod::kGet, kCrawler) == VisitCount::kBot);
  CHECK(CountVisit(VisitEnd::kDestination, VisitMethod::kGet, "Slackbot-LinkExpanding 1.0") ==
        VisitCount::kBot);
  // Anywhere but a destination nothing counts, people and bots alike.
  CHECK(CountVisit(VisitEnd::kElsewhere, VisitMethod::kGet, kBrowser) == VisitCount::kNotCounted);
  CHECK(CountVisit(VisitEnd::kElsewhere, VisitMethod::kHead, kCrawler) == VisitCount::kNotCounted);
}

TEST_CASE("click policy: a unique link's visitor counts once per window, bots never ask",
          "[click_policy]") {
  VisitorFilter visitors(64);
  UniqueVisitor unique{&visitors, 42, 1000, 60};
  // A bot's visit leaves the visitor unrecorded: the person after it still clicks.
  CHECK(CountVisit(VisitEnd::kDestination, VisitMethod::kHead, kBrowser, &unique) ==
        VisitCount::kBot);
  CHECK(CountVisit(VisitEnd::kDestination, VisitMethod::kGet, kCrawler, &unique) ==
        VisitCount::kBot);
  CHECK(CountVisit(VisitEnd::kDestination, VisitMethod::kGet, kBrowser, &unique) ==
        VisitCount::kClick);
  CHECK(CountVisit(VisitEnd::kDestination, VisitMethod::kGet, kBrowser, &unique) ==
        VisitCount::kNotCounted);
  unique.now_minute += 61;  // the window has passed
  CHECK(CountVisit(VisitEnd::kDestination, VisitMethod::kGet, kBrowser, &unique) ==
        VisitCount::kClick);
}

// The drift this policy ended: HEAD and bot hits of a link with rules were
// counted nowhere, where a plain link's were bot hits.
TEST_CASE("click policy: the responder counts a ruled link's visits as a plain link's",
          "[click_policy]") {
  RcuThreadScope rcu;
  LinkTable table;
  table.Upsert("plain", "https://example.com/plain", LinkState::kActive);
  Link ruled;
  ruled.code = "ruled";
  ruled.long_url = "https://example.com/ruled";
  ruled.rules.redirect_type = 307;
  table.Upsert(ruled.code, ruled.long_url, ruled.state, std::make_unique<EdgeRules>(ruled));
  Responder responder(testing::WithNotFoundPage(302, "", "<p>not found</p>"));
  static char out[kMaxResponseBytes];
  char code[kCodeBufferBytes];

  auto counted = [&](std::string_view method, std::string_view path, std::string_view agent) {
    std::string raw = std::string(method) + " /" + std::string(path) +
                      " HTTP/1.1\r\nHost: go.example\r\nUser-Agent: " + std::string(agent) +
                      "\r\n\r\n";
    RequestHead head;
    REQUIRE(ParseRequestHead(raw, &head) == ParseStatus::kOk);
    ResponseInfo info;
    responder.Respond(head, table, "Sun, 22 Nov 2026 00:00:00 GMT", out, code, &info);
    REQUIRE(info.outcome == Outcome::kHit);
    return info.counted;
  };
  for (std::string_view link : {"plain", "ruled"}) {
    INFO(link);
    CHECK(counted("GET", link, kBrowser) == VisitCount::kClick);
    CHECK(counted("HEAD", link, kBrowser) == VisitCount::kBot);
    CHECK(counted("GET", link, kCrawler) == VisitCount::kBot);
    CHECK(counted("GET", link, "facebookexternalhit/1.1") == VisitCount::kBot);
  }
}

}  // namespace shortlink::redirector
