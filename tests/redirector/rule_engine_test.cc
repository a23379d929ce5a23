// Link rules as a node evaluates them: each rule alone, their order, and
// what the responder writes for them. Time comes from the Visit (or, for
// the responder, an injected clock), never from the wall.
#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "common/password.h"
#include "edge/edge_server.h"
#include "edge/responder.h"
#include "responder_options.h"
#include "rules/device_detector.h"
#include "rules/location_builder.h"
#include "rules/password_verifier.h"
#include "rules/rule_engine.h"
#include "rules/visitor_filter.h"
#include "table/link_table.h"

using namespace shortlink;
using namespace shortlink::redirector;

namespace {

constexpr int64_t kNow = 1'800'000'000'000;  // 2027-01-15
constexpr std::string_view kIphone =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
constexpr std::string_view kAndroid =
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
constexpr std::string_view kWindowsPhone =
    "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 "
    "Chrome/52.0 Mobile Safari/537.36 Edge/15.15063";
constexpr std::string_view kDesktop =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
constexpr std::string_view kOtherMobile =
    "Mozilla/5.0 (Mobile; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5";

Link LinkWith(auto set) {
  Link link;
  link.code = "promo";
  link.long_url = "https://example.com/main";
  set(link.rules);
  return link;
}

Visit VisitAt(int64_t now_ms, std::string_view ua = kDesktop) {
  Visit v;
  v.code = "promo";
  v.user_agent = ua;
  v.client_address = "\x7f\x00\x00\x01";
  v.now_ms = now_ms;
  return v;
}

}  // namespace

TEST_CASE("rules: expiry sends to expiredUrl, or 410, from expiresAt on", "[rules]") {
  VisitorFilter visitors(64);
  EdgeRules with_url(LinkWith([](LinkRules& r) {
    r.expires_at_ms = kNow;
    r.expired_url = "https://example.com/over";
  }));
  RuleDecision before =
      EvaluateRules(with_url, "https://example.com/main", VisitAt(kNow - 1), &visitors);
  CHECK(before.action == RuleAction::kRedirect);
  CHECK(before.target == "https://example.com/main");
  CHECK(before.destination);
  CHECK(before.counted == VisitCount::kClick);
  RuleDecision at = EvaluateRules(with_url, "https://example.com/main", VisitAt(kNow), &visitors);
  CHECK(at.action == RuleAction::kRedirect);
  CHECK(at.target == "https://example.com/over");
  CHECK(at.status == 302);
  CHECK_FALSE(at.destination);
  CHECK(at.counted == VisitCount::kNotCounted);

  EdgeRules without_url(LinkWith([](LinkRules& r) { r.expires_at_ms = kNow; }));
  CHECK(EvaluateRules(without_url, "u", VisitAt(kNow + 1), &visitors).action == RuleAction::kGone);
  CHECK(EvaluateRules(without_url, "u", VisitAt(kNow - 1), &visitors).action ==
        RuleAction::kRedirect);
}

TEST_CASE("rules: the click limit counts this node's clicks on top of the record's", "[rules]") {
  VisitorFilter visitors(64);
  Link link = LinkWith([](LinkRules& r) {
    r.max_clicks = 5;
    r.click_limit_url = "https://example.com/full";
  });
  link.clicks = 3;  // admin-api's total when the record was applied
  EdgeRules rules(link);
  for (int i = 0; i < 2; ++i) {
    RuleDecision d = EvaluateRules(rules, "https://example.com/main", VisitAt(kNow), &visitors);
    CHECK(d.target == "https://example.com/main");
    CHECK(d.counted == VisitCount::kClick);
  }
  CHECK(rules.LimitReached());
  RuleDecision full = EvaluateRules(rules, "https://example.com/main", VisitAt(kNow), &visitors);
  CHECK(full.target == "https://example.com/full");
  CHECK(full.counted == VisitCount::kNotCounted);
  CHECK(rules.local_clicks.load() == 2);  // visits past the limit are no clicks

  // HEAD requests and bots are bot hits: they do not use up the limit.
  EdgeRules fresh(link);
  Visit head = VisitAt(kNow);
  head.method = VisitMethod::kHead;
  Visit bot = VisitAt(kNow, "Mozilla/5.0 (compatible; Googlebot/2.1)");
  for (int i = 0; i < 10; ++i) {
    CHECK(EvaluateRules(fresh, "u", head, &visitors).counted == VisitCount::kBot);
    CHECK(EvaluateRules(fresh, "u", bot, &visitors).counted == VisitCount::kBot);
  }
  CHECK_FALSE(fresh.LimitReached());

  // Without clickLimitUrl a full link is gone; a record already past its limit is full at once.
  link.rules.click_limit_url.clear();
  link.clicks = 5;
  EdgeRules past(link);
  CHECK(EvaluateRules(past, "u", VisitAt(kNow), &visitors).action == RuleAction::kGone);
}

TEST_CASE("rules: UNIQUE counts a visitor once per window", "[rules]") {
  VisitorFilter visitors(1024);
  EdgeRules rules(LinkWith([](LinkRules& r) {
    r.click_type = ClickType::kUnique;
    r.unique_window_minutes = 15;
    r.max_clicks = 100;
  }));
  Visit v = VisitAt(kNow);
  CHECK(EvaluateRules(rules, "u", v, &visitors).counted == VisitCount::kClick);
  v.now_ms += 14 * 60'000;
  CHECK(EvaluateRules(rules, "u", v, &visitors).counted ==
        VisitCount::kNotCounted);  // same visitor, same window
  RuleDecision again = EvaluateRules(rules, "u", v, &visitors);
  CHECK(again.target == "u");  // still redirected, only not counted

  Visit other_agent = v;
  other_agent.user_agent = kIphone;
  CHECK(EvaluateRules(rules, "u", other_agent, &visitors).counted == VisitCount::kClick);
  Visit other_address = v;
  other_address.client_address = "\x0a\x00\x00\x02";
  CHECK(EvaluateRules(rules, "u", other_address, &visitors).counted == VisitCount::kClick);

  v.now_ms = kNow + 15 * 60'000;  // the window has passed
  CHECK(EvaluateRules(rules, "u", v, &visitors).counted == VisitCount::kClick);
  CHECK(rules.local_clicks.load() == 4);
}

TEST_CASE("rules: the visitor filter forgets the oldest when a bucket is full", "[rules]") {
  VisitorFilter filter(4);  // one bucket of four
  for (uint64_t v = 1; v <= 4; ++v)
    CHECK(filter.FirstVisit(v << 32, 100 + static_cast<int64_t>(v), 60));
  for (uint64_t v = 1; v <= 4; ++v) CHECK_FALSE(filter.FirstVisit(v << 32, 110, 60));
  CHECK(filter.FirstVisit(uint64_t{5} << 32, 110, 60));  // evicts visitor 1, the oldest
  CHECK(filter.FirstVisit(uint64_t{1} << 32, 110, 60));  // counted again: errs towards a click
  CHECK_FALSE(filter.FirstVisit(uint64_t{5} << 32, 111, 60));
}

TEST_CASE("rules: devices are told apart by User-Agent", "[rules]") {
  CHECK(DetectDevice(kIphone) == Device::kIos);
  CHECK(DetectDevice("Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X)") == Device::kIos);
  CHECK(DetectDevice(kAndroid) == Device::kAndroid);
  CHECK(DetectDevice(kWindowsPhone) == Device::kWindowsPhone);
  CHECK(DetectDevice(kOtherMobile) == Device::kOtherMobile);
  CHECK(DetectDevice(kDesktop) == Device::kDesktop);
  CHECK(DetectDevice("") == Device::kDesktop);

  VisitorFilter visitors(64);
  EdgeRules rules(LinkWith([](LinkRules& r) {
    r.devices.ios = "https://apps.apple.com/app";
    r.devices.android = "https://play.google.com/app";
    r.devices.mobile = "https://m.example.com/";
  }));
  auto target = [&](std::string_view ua) {
    return std::string(
        EvaluateRules(rules, "https://example.com/main", VisitAt(kNow, ua), &visitors).target);
  };
  CHECK(target(kIphone) == "https://apps.apple.com/app");
  CHECK(target(kAndroid) == "https://play.google.com/app");
  CHECK(target(kWindowsPhone) == "https://m.example.com/");  // no windows target: mobile's
  CHECK(target(kOtherMobile) == "https://m.example.com/");
  CHECK(target(kDesktop) == "https://example.com/main");
}

TEST_CASE("rules: A/B buckets split visits by percentage and stick by cookie", "[rules]") {
  VisitorFilter visitors(64);
  EdgeRules rules(LinkWith([](LinkRules& r) {
    r.ab_targets = {{"https://a.example.com/", 30}, {"https://b.example.com/", 70}};
  }));
  int a = 0;
  for (uint32_t random = 0; random < 100; ++random) {
    Visit v = VisitAt(kNow);
    v.random = random;
    RuleDecision d = EvaluateRules(rules, "u", v, &visitors);
    REQUIRE(d.ab_bucket == static_cast<int>(random));
    a += d.target == "https://a.example.com/";
  }
  CHECK(a == 30);  // buckets 0-29

  Visit returning = VisitAt(kNow);
  returning.cookie = "theme=dark; sl_ab=85; other=1";
  returning.random = 0;  // would be A for a new visitor
  RuleDecision d = EvaluateRules(rules, "u", returning, &visitors);
  CHECK(d.target == "https://b.example.com/");
  CHECK(d.ab_bucket == -1);  // known visitor: no new cookie

  CHECK(AbBucketFromCookie("sl_ab=7") == 7);
  CHECK(AbBucketFromCookie("sl_ab=100") == -1);
  CHECK(AbBucketFromCookie("sl_ab=x1") == -1);
  CHECK(AbBucketFromCookie("xsl_ab=5") == -1);
  CHECK(AbBucketFromCookie("") == -1);

  // A device target wins over the experiment.
  EdgeRules both(LinkWith([](LinkRules& r) {
    r.ab_targets = {{"https://a.example.com/", 100}};
    r.devices.ios = "https://apps.apple.com/app";
  }));
  CHECK(EvaluateRules(both, "u", VisitAt(kNow, kIphone), &visitors).target ==
        "https://apps.apple.com/app");
  CHECK(EvaluateRules(both, "u", VisitAt(kNow, kDesktop), &visitors).target ==
        "https://a.example.com/");
}

TEST_CASE("rules: a password is asked before any destination, after expiry and limits", "[rules]") {
  VisitorFilter visitors(64);
  EdgeRules rules(LinkWith([](LinkRules& r) {
    r.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$x$y";
    r.expires_at_ms = kNow;
  }));
  Visit v = VisitAt(kNow - 1);
  RuleDecision form = EvaluateRules(rules, "u", v, &visitors);
  CHECK(form.action == RuleAction::kPasswordForm);
  CHECK(form.counted == VisitCount::kNotCounted);
  v.password = PasswordState::kRefused;
  CHECK(EvaluateRules(rules, "u", v, &visitors).action == RuleAction::kPasswordForm);
  v.password = PasswordState::kAccepted;
  v.method = VisitMethod::kPost;
  RuleDecision in = EvaluateRules(rules, "u", v, &visitors);
  CHECK(in.action == RuleAction::kRedirect);
  CHECK(in.status == 303);  // the browser follows a form's answer with GET
  CHECK(in.counted == VisitCount::kClick);
  // Expired: no form at all.
  CHECK(EvaluateRules(rules, "u", VisitAt(kNow), &visitors).action == RuleAction::kGone);
}

TEST_CASE("rules: redirectType is per link", "[rules]") {
  VisitorFilter visitors(64);
  EdgeRules rules(LinkWith([](LinkRules& r) { r.redirect_type = 308; }));
  CHECK(EvaluateRules(rules, "u", VisitAt(kNow), &visitors).status == 308);
}

TEST_CASE("location: UTM and the visitor's query merge without duplicates", "[rules]") {
  char out[kMaxLocationBytes];
  auto build = [&](std::string_view target, const UtmParameters* utm, std::string_view query) {
    return std::string(out, BuildLocation(target, utm, query, out, sizeof out));
  };
  UtmParameters utm;
  utm.source = "news letter";
  utm.campaign = "spring&sale";
  CHECK(build("https://x.example/p", &utm, "") ==
        "https://x.example/p?utm_source=news%20letter&utm_campaign=spring%26sale");
  // The link's utm_source replaces the target's; other target parameters stay first.
  CHECK(build("https://x.example/p?a=1&utm_source=old#top", &utm, "") ==
        "https://x.example/p?a=1&utm_source=news%20letter&utm_campaign=spring%26sale#top");
  // Visitor parameters come last and never override the target's or the link's.
  CHECK(build("https://x.example/p?a=1", &utm, "a=2&b=3&utm_source=evil&b=4") ==
        "https://x.example/p?a=1&utm_source=news%20letter&utm_campaign=spring%26sale&b=3");
  CHECK(build("https://x.example/p", nullptr, "q=shoes&&page=2") ==
        "https://x.example/p?q=shoes&page=2");
  CHECK(build("https://x.example/p?", nullptr, "") == "https://x.example/p");
  CHECK(build("https://x.example/p#f", nullptr, "z=1") == "https://x.example/p?z=1#f");
  // Too long to fit: left out, the rest still whole.
  std::string huge = "big=" + std::string(kMaxLocationBytes, 'x');
  CHECK(build("https://x.example/p", nullptr, huge + "&ok=1") == "https://x.example/p?ok=1");
}

TEST_CASE("password forms: the password field is decoded", "[rules]") {
  CHECK(PasswordFromForm("password=open+sesame%21") == "open sesame!");
  CHECK(PasswordFromForm("x=1&password=a%26b") == "a&b");
  CHECK(PasswordFromForm("password=") == "");
  CHECK_FALSE(PasswordFromForm("pass=1").has_value());
  CHECK_FALSE(PasswordFromForm("password=" + std::string(kMaxPasswordBytes + 1, 'a')).has_value());
}

TEST_CASE("password verifier: right and wrong passwords, and guesses limited per address",
          "[rules][concurrent]") {
  auto hash = HashPassword("s3cret");
  REQUIRE(hash.ok());
  CHECK(IsPasswordHash(*hash));
  CHECK(VerifyPassword(*hash, "s3cret"));
  CHECK_FALSE(VerifyPassword(*hash, "S3cret"));
  CHECK_FALSE(VerifyPassword("not a hash", "s3cret"));

  PasswordVerifier verifier(1);
  std::mutex mu;
  std::vector<PasswordVerifier::Verdict> verdicts;
  auto record = [&](PasswordVerifier::Verdict v) {
    std::lock_guard lock(mu);
    verdicts.push_back(v);
  };
  verifier.Verify(*hash, "password=s3cret", "a", record);
  for (int i = 0; i <= PasswordVerifier::kMaxGuesses; ++i)
    verifier.Verify(*hash, "password=wrong", "b", record);
  verifier.Stop();
  REQUIRE(verdicts.size() == 2 + PasswordVerifier::kMaxGuesses);
  int accepted = 0, refused = 0, throttled = 0;
  for (auto v : verdicts) {
    accepted += v.password == PasswordState::kAccepted;
    refused += v.password == PasswordState::kRefused && !v.throttled;
    throttled += v.throttled;
  }
  CHECK(accepted == 1);
  CHECK(refused == PasswordVerifier::kMaxGuesses);
  CHECK(throttled == 1);  // address "b"'s guess past the limit is not even hashed
}

namespace {
int64_t g_test_now = kNow;
int64_t TestClock() { return g_test_now; }
}  // namespace

TEST_CASE("responder: rule links get their status, Location, cookie and pages", "[rules]") {
  RcuThreadScope rcu;
  LinkTable table;
  auto put = [&](Link link) {
    table.Upsert(link.code, link.long_url, link.state, std::make_unique<EdgeRules>(link));
  };
  Link ab = LinkWith([](LinkRules& r) {
    r.ab_targets = {{"https://a.example.com/", 50}, {"https://b.example.com/", 50}};
    r.utm.source = "sl";
    r.forward_query = true;
    r.redirect_type = 307;
  });
  ab.code = "ab";
  put(ab);
  Link gone = LinkWith([](LinkRules& r) { r.expires_at_ms = kNow - 1; });
  gone.code = "gone";
  put(gone);
  Link locked = LinkWith([](LinkRules& r) { r.password_hash = "$argon2id$v=19$x"; });
  locked.code = "locked";
  put(locked);
  table.Upsert("plain", "https://example.com/plain", LinkState::kActive);

  ResponderOptions options = testing::WithNotFoundPage(302, "", "<p>nope</p>");
  options.now_ms = TestClock;
  Responder responder(options);
  char out[kMaxResponseBytes];
  char code[kCodeBufferBytes];
  ResponseInfo info;
  RequestHead head;
  std::string hash;
  auto respond = [&](const std::string& req, VisitFacts facts = {}) {
    REQUIRE(ParseRequestHead(req, &head) == ParseStatus::kOk);
    facts.password_hash = &hash;
    return std::string(out, responder.Respond(head, table, "Sun, 22 Nov 2026 00:00:00 GMT", out,
                                              code, &info, facts));
  };

  VisitFacts first;
  first.random = 10;  // bucket 10: A
  std::string r = respond("GET /ab?q=1 HTTP/1.1\r\nHost: x\r\n\r\n", first);
  CHECK(r.rfind("HTTP/1.1 307 Temporary Redirect\r\nLocation: "
                "https://a.example.com/?utm_source=sl&q=1\r\n",
                0) == 0);
  CHECK(r.find("Set-Cookie: sl_ab=10; Path=/ab; Max-Age=31536000; HttpOnly; SameSite=Lax\r\n") !=
        std::string::npos);
  CHECK(info.outcome == Outcome::kHit);
  CHECK(info.ruled);
  CHECK(info.counted == VisitCount::kClick);
  CHECK(info.code == "ab");

  r = respond("GET /ab HTTP/1.1\r\nHost: x\r\nCookie: sl_ab=60\r\n\r\n");
  CHECK(r.find("Location: https://b.example.com/?utm_source=sl\r\n") != std::string::npos);
  CHECK(r.find("Set-Cookie") == std::string::npos);

  r = respond("GET /gone HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 410 Gone\r\n", 0) == 0);
  CHECK(r.find("This link has expired.") != std::string::npos);
  CHECK(info.outcome == Outcome::kRuleFallback);
  CHECK(info.counted == VisitCount::kNotCounted);

  r = respond("GET /locked HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(r.find("<form method=\"post\">") != std::string::npos);
  CHECK(r.find("https://example.com/main") == std::string::npos);  // the target stays secret
  CHECK(info.outcome == Outcome::kPasswordForm);

  r = respond("POST /locked HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n");
  CHECK(r.empty());
  CHECK(info.outcome == Outcome::kPasswordCheck);
  CHECK(hash == "$argon2id$v=19$x");

  VisitFacts refused;
  refused.password = PasswordState::kRefused;
  r = respond("POST /locked HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n", refused);
  CHECK(r.rfind("HTTP/1.1 401 Unauthorized\r\n", 0) == 0);
  CHECK(r.find("Wrong password") != std::string::npos);
  VisitFacts throttled;
  throttled.password = PasswordState::kRefused;
  throttled.password_throttled = true;
  r = respond("POST /locked HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n", throttled);
  CHECK(r.rfind("HTTP/1.1 429 Too Many Requests\r\n", 0) == 0);
  CHECK(r.find("Retry-After: 60\r\n") != std::string::npos);
  VisitFacts accepted;
  accepted.password = PasswordState::kAccepted;
  r = respond("POST /locked HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n", accepted);
  CHECK(r.rfind("HTTP/1.1 303 See Other\r\nLocation: https://example.com/main\r\n", 0) == 0);

  // POST is for password forms only.
  r = respond("POST /plain HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0) == 0);
  r = respond("POST /ab HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0) == 0);

  // The clock moves: a link that expires later is served until then.
  Link later = LinkWith([](LinkRules& r) { r.expires_at_ms = kNow + 1000; });
  later.code = "later";
  put(later);
  CHECK(respond("GET /later HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 302 Found\r\n", 0) == 0);
  g_test_now = kNow + 1000;
  CHECK(respond("GET /later HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 410 Gone\r\n", 0) == 0);
  g_test_now = kNow;
}

TEST_CASE("edge: the visitor's address comes from the peer or the proxy's header", "[rules]") {
  RequestHead head;
  std::string req =
      "GET /a HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9, 198.51.100.7 \r\n"
      "X-Real-IP: 192.0.2.1\r\n\r\n";
  REQUIRE(ParseRequestHead(req, &head) == ParseStatus::kOk);
  CHECK(ClientAddress(ClientAddressSource::kPeer, head, "peer") == "peer");
  // The last element: the one the nearest (trusted) proxy appended.
  CHECK(ClientAddress(ClientAddressSource::kXForwardedFor, head, "peer") == "198.51.100.7");
  CHECK(ClientAddress(ClientAddressSource::kXRealIp, head, "peer") == "192.0.2.1");
  std::string bare = "GET /a HTTP/1.1\r\nHost: x\r\nX-Forwarded-For:  \r\n\r\n";
  REQUIRE(ParseRequestHead(bare, &head) == ParseStatus::kOk);
  CHECK(ClientAddress(ClientAddressSource::kXForwardedFor, head, "peer") == "peer");
  CHECK(ClientAddress(ClientAddressSource::kXRealIp, head, "peer") == "peer");
}

// Cookie paths are case-sensitive (RFC 6265 5.1.4): a cookie scoped to the
// lowercased code never comes back on /BR-AB, and the visitor flips
// between targets. The cookie's path is the path as the visitor sent it.
TEST_CASE("responder: the A/B cookie is scoped to the path the visitor typed", "[rules][ab]") {
  RcuThreadScope rcu;
  LinkTable table;
  Link ab = LinkWith([](LinkRules& r) {
    r.ab_targets = {{"https://a.example.com/", 50}, {"https://b.example.com/", 50}};
  });
  ab.code = "br-ab";
  table.Upsert(ab.code, ab.long_url, ab.state, std::make_unique<EdgeRules>(ab));
  Responder responder(ResponderOptions{});
  char out[kMaxResponseBytes];
  char code[kCodeBufferBytes];
  ResponseInfo info;
  RequestHead head;
  auto respond = [&](const std::string& req) {
    REQUIRE(ParseRequestHead(req, &head) == ParseStatus::kOk);
    VisitFacts facts;
    facts.random = 70;  // bucket 70: B
    return std::string(out, responder.Respond(head, table, "d", out, code, &info, facts));
  };
  std::string r = respond("GET /BR-AB HTTP/1.1\r\nHost: x\r\n\r\n");
  INFO(r);
  CHECK(r.find("Set-Cookie: sl_ab=70; Path=/BR-AB; Max-Age=31536000; HttpOnly; SameSite=Lax\r\n") !=
        std::string::npos);
  CHECK(info.code == "br-ab");  // clicks still count under the link's own code
  r = respond("GET /Br-Ab?utm=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.find("; Path=/Br-Ab; ") != std::string::npos);
  r = respond("GET http://go.example/BR-ab HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.find("; Path=/BR-ab; ") != std::string::npos);
  r = respond("GET /br-ab HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.find("; Path=/br-ab; ") != std::string::npos);
  // The cookie sent back on that path keeps the visitor's bucket.
  r = respond("GET /BR-AB HTTP/1.1\r\nHost: x\r\nCookie: sl_ab=10\r\n\r\n");
  CHECK(r.find("Location: https://a.example.com/\r\n") != std::string::npos);
  CHECK(r.find("Set-Cookie") == std::string::npos);
}

namespace {
// One check at a time, as visitors who wait for their answer make them.
PasswordVerifier::Verdict VerifyNow(PasswordVerifier& verifier, const std::string& hash,
                                    const std::string& body, const std::string& client) {
  std::promise<PasswordVerifier::Verdict> verdict;
  verifier.Verify(hash, body, client, [&](PasswordVerifier::Verdict v) { verdict.set_value(v); });
  return verdict.get_future().get();
}
}  // namespace

TEST_CASE("password verifier: only wrong guesses count towards the limit", "[rules][password]") {
  auto hash = HashPassword("s3cret");
  REQUIRE(hash.ok());
  PasswordVerifier verifier(1);
  // Six people behind one NAT who know the password, and one more.
  for (int i = 0; i < PasswordVerifier::kMaxGuesses + 2; ++i) {
    INFO("right answer " << i + 1);
    auto v = VerifyNow(verifier, *hash, "password=s3cret", "nat");
    CHECK(v.password == PasswordState::kAccepted);
    CHECK_FALSE(v.throttled);
  }
  // Wrong guesses are still limited: kMaxGuesses a window, then 429.
  for (int i = 0; i < PasswordVerifier::kMaxGuesses; ++i) {
    auto v = VerifyNow(verifier, *hash, "password=guess", "nat");
    CHECK(v.password == PasswordState::kRefused);
    CHECK_FALSE(v.throttled);
  }
  CHECK(VerifyNow(verifier, *hash, "password=guess", "nat").throttled);
  // A right answer does not reset the count: the limit is per address, not
  // per link, so a guesser who knows one link's password could otherwise
  // clear the count between guesses at another's.
  CHECK(VerifyNow(verifier, *hash, "password=s3cret", "nat").throttled);
  // Right answers between wrong ones neither count nor clear.
  for (int i = 0; i < PasswordVerifier::kMaxGuesses - 1; ++i)
    CHECK(VerifyNow(verifier, *hash, "password=guess", "other").password ==
          PasswordState::kRefused);
  CHECK(VerifyNow(verifier, *hash, "password=s3cret", "other").password ==
        PasswordState::kAccepted);
  CHECK(VerifyNow(verifier, *hash, "password=guess", "other").password == PasswordState::kRefused);
  CHECK(VerifyNow(verifier, *hash, "password=guess", "other").throttled);
}

TEST_CASE("password verifier: guesses in flight count, so a burst cannot outrun the limit",
          "[rules][password][concurrent]") {
  auto hash = HashPassword("s3cret");
  REQUIRE(hash.ok());
  PasswordVerifier verifier(1);
  std::mutex mu;
  int refused = 0, throttled = 0;
  for (int i = 0; i < 3 * PasswordVerifier::kMaxGuesses; ++i) {
    verifier.Verify(*hash, "password=guess", "burst", [&](PasswordVerifier::Verdict v) {
      std::lock_guard lock(mu);
      (v.throttled ? throttled : refused) += 1;
    });
  }
  verifier.Stop();
  CHECK(refused == PasswordVerifier::kMaxGuesses);
  CHECK(throttled == 2 * PasswordVerifier::kMaxGuesses);
}
