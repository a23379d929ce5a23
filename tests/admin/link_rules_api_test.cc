// The optional fields of a link through admin-api (issue 6): reading them
// from JSON (each 400 case), PATCH merging in the writer against the stored
// link, the JSON answer (unchanged for a link without them), the list
// filters (hidden, tag, searchText over title and tags), click totals of
// limited links reaching the change log, and password hashing off the I/O
// threads.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "common/change.h"
#include "common/password.h"
#include "http/json_input.h"
#include "link_test_support.h"
#include "links/link_json.h"
#include "links/link_patch.h"
#include "links/link_routes.h"
#include "links/link_rules_json.h"
#include "links/link_service.h"
#include "links/password_hasher.h"

namespace shortlink::admin {
namespace {

using testing::Codes;

constexpr int64_t kNowMs = 1'800'000'000'000;  // 2027-01-15T08:00:00Z, the clock of create bodies

const UrlPolicy& Policy() {
  static const UrlPolicy policy{"go.example", DefaultShortenerBlocklist()};
  return policy;
}

Result<LinkPatch> Parse(std::string_view body) {
  auto obj = ParseJsonObject(body);
  REQUIRE(obj.ok());
  return ParseLinkPatch(*obj, Policy());
}

LinkPatch ParseOk(std::string_view body) {
  INFO(body);
  auto patch = Parse(body);
  if (!patch.ok()) FAIL(patch.error().message);
  return std::move(patch).value();
}

// The message of a body ParseLinkPatch refuses (400).
std::string Refusal(std::string_view body) {
  INFO(body);
  auto patch = Parse(body);
  REQUIRE_FALSE(patch.ok());
  CHECK(patch.error().code == ErrorCode::kInvalidArgument);
  return patch.error().message;
}

// A fake argon2id hash: HashPassword costs ~50 ms, and these tests only
// need what the writer accepts.
const std::string kHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

struct Service : testing::ServiceFixture {
  MutationResult Create(std::string code, std::string_view body) {
    CreateLink create{1, "https://example.com/", std::move(code)};
    create.fields = ParseOk(body);
    return One(std::move(create));
  }
  MutationResult Patch(std::string code, std::string_view body) {
    UpdateLink update{1, std::move(code), std::nullopt, std::nullopt};
    update.fields = ParseOk(body);
    return One(std::move(update));
  }
  std::vector<Change> Changes() { return testing::AllChanges(db.get()); }
};

Link Plain(std::string code, uint64_t owner = 1, int64_t created = 1'700'000'000'000) {
  Link l;
  l.code = std::move(code);
  l.long_url = "https://example.com/" + l.code;
  l.owner = owner;
  l.created_at_ms = l.updated_at_ms = created;
  return l;
}

}  // namespace

TEST_CASE("every field is read from JSON", "[rules]") {
  LinkPatch p = ParseOk(R"({
    "title": "Spring sale \u00e9", "tags": ["Sale", "spring", "SALE", "sale "], "hidden": true,
    "expiresAt": "2030-01-31T00:00:00Z", "expiredUrl": "https://example.com/over",
    "maxClicks": 1000000000000, "clickLimitUrl": "https://example.com/full",
    "clickType": "UNIQUE", "uniqueWindowMinutes": 15, "password": "open sesame",
    "deviceTargets": {"ios": "https://apps.apple.com/x", "android": "https://play.google.com/x",
                      "windows": "https://ms.example.com/x", "mobile": "https://m.example.com/"},
    "abTargets": [{"url": "https://a.example.com/", "percentage": 30},
                  {"percentage": 70, "url": "https://b.example.com/"}],
    "utm": {"source": "news letter", "medium": "email", "campaign": "spring/2030",
            "term": "shoes", "content": "top"},
    "forwardQuery": true, "redirectType": 308, "someFutureField": 1})");
  CHECK(p.title == "Spring sale \xc3\xa9");
  CHECK(p.tags == std::vector<std::string>{"Sale", "spring", "sale "});  // first spelling kept
  CHECK(p.hidden == true);
  CHECK(p.expires_at_ms == 1'896'048'000'000);
  CHECK(p.expired_url == "https://example.com/over");
  CHECK(p.max_clicks == 1'000'000'000'000);
  CHECK(p.click_limit_url == "https://example.com/full");
  CHECK(p.click_type == ClickType::kUnique);
  CHECK(p.unique_window_minutes == 15u);
  CHECK(p.password == "open sesame");
  CHECK_FALSE(p.password_hash);
  REQUIRE(p.devices);
  CHECK(p.devices->ios == "https://apps.apple.com/x");
  CHECK(p.devices->mobile == "https://m.example.com/");
  REQUIRE(p.ab_targets);
  CHECK(*p.ab_targets ==
        std::vector<AbTarget>{{"https://a.example.com/", 30}, {"https://b.example.com/", 70}});
  REQUIRE(p.utm);
  CHECK(p.utm->source == "news letter");
  CHECK(p.utm->campaign == "spring/2030");
  CHECK(p.forward_query == true);
  CHECK(p.redirect_type == 308);
  CHECK(CheckLinkPatch(p, Link{}).ok());
}

TEST_CASE("null clears every field, absent fields are left alone", "[rules]") {
  LinkPatch p = ParseOk(R"({
    "title": null, "tags": null, "hidden": null, "expiresAt": null, "expiredUrl": null,
    "maxClicks": null, "clickLimitUrl": null, "clickType": null, "uniqueWindowMinutes": null,
    "password": null, "deviceTargets": null, "abTargets": null, "utm": null,
    "forwardQuery": null, "redirectType": null})");
  CHECK(p.title == "");
  CHECK(p.tags == std::vector<std::string>{});
  CHECK(p.hidden == false);
  CHECK(p.expires_at_ms == 0);
  CHECK(p.expired_url == "");
  CHECK(p.max_clicks == 0u);
  CHECK(p.click_limit_url == "");
  CHECK(p.click_type == ClickType::kAll);
  CHECK(p.unique_window_minutes == 0u);
  CHECK(p.password == "");
  CHECK(p.devices == DeviceTargets{});
  CHECK(p.ab_targets == std::vector<AbTarget>{});
  CHECK(p.utm == UtmParameters{});
  CHECK(p.forward_query == false);
  CHECK(p.redirect_type == 0);
  CHECK_FALSE(p.empty());

  // The empty values clear too; null keys inside the objects are unset.
  LinkPatch q = ParseOk(R"({"title": "", "tags": [], "abTargets": [], "password": "",
                            "deviceTargets": {"ios": null}, "utm": {}})");
  CHECK(q.title == "");
  CHECK(q.tags == std::vector<std::string>{});
  CHECK(q.ab_targets == std::vector<AbTarget>{});
  CHECK(q.password == "");
  CHECK(q.devices == DeviceTargets{});
  CHECK(q.utm == UtmParameters{});

  CHECK(ParseOk(R"({"longUrl": "https://example.com/", "state": "ACTIVE", "x": 1})").empty());
  CHECK(ParseOk("{}").empty());
}

TEST_CASE("each field refuses bad values with a message naming it", "[rules]") {
  const std::string long_tag(51, 't'), tags21 = [] {
    std::string s = "[";
    for (int i = 0; i < 21; ++i) s += (i ? ",\"t" : "\"t") + std::to_string(i) + "\"";
    return s + "]";
  }();
  const std::string ab11 = [] {
    std::string s = "[";
    for (int i = 0; i < 11; ++i)
      s += std::string(i ? "," : "") + R"({"url": "https://a.example.com/", "percentage": 9})";
    return s + "]";
  }();
  struct Case {
    std::string body;
    std::string message;  // a part of the message
  };
  const std::vector<Case> cases = {
      {R"({"title": 5})", "title must be a string"},
      {R"({"title": ")" + std::string(201, 'x') + "\"}", "title must be at most 200 bytes"},
      {R"({"title": "a\u0007b"})", "title must not contain control characters"},
      {R"({"title": "line\nbreak"})", "title must not contain control characters"},
      {R"({"tags": "sale"})", "tags must be an array of at most 20 strings"},
      {R"({"tags": )" + tags21 + "}", "tags must be an array of at most 20 strings"},
      {R"({"tags": ["ok", 5]})", "tags[1] must be a string"},
      {R"({"tags": [""]})", "tags[0] must be from 1 to 50 bytes"},
      {R"({"tags": [")" + long_tag + "\"]}", "tags[0] must be from 1 to 50 bytes"},
      {R"({"tags": ["a\tb"]})", "tags[0] must not contain control characters"},
      {R"({"hidden": "true"})", "hidden must be true or false"},
      {R"({"hidden": 1})", "hidden must be true or false"},
      {R"({"expiresAt": "2030-01-31"})", "expiresAt must be an ISO-8601 UTC time"},
      {R"({"expiresAt": "2030-01-31T00:00:00+01:00"})", "expiresAt must be an ISO-8601"},
      {R"({"expiresAt": "1970-01-01T00:00:00Z"})", "after 1970"},
      {R"({"expiresAt": 1900000000000})", "expiresAt must be an ISO-8601"},
      {R"({"expiredUrl": "http://example.com/"})", "expiredUrl must start with https://"},
      {R"({"expiredUrl": "https://bit.ly/x"})", "expiredUrl points to a link shortener"},
      {R"({"expiredUrl": "https://go.example/x"})", "expiredUrl must not point to this link"},
      {R"({"expiredUrl": 1})", "expiredUrl must be a string"},
      {R"({"maxClicks": 0})", "maxClicks must be a whole number from 1 to 1000000000000"},
      {R"({"maxClicks": 1000000000001})", "maxClicks must be a whole number"},
      {R"({"maxClicks": 18446744073709551615})", "maxClicks must be a whole number"},
      {R"({"maxClicks": -5})", "maxClicks must be a whole number"},
      {R"({"maxClicks": 5.5})", "maxClicks must be a whole number"},
      {R"({"maxClicks": "5"})", "maxClicks must be a whole number"},
      {R"({"clickLimitUrl": "ftp://example.com/"})", "clickLimitUrl must start with https://"},
      {R"({"clickType": "unique"})", "clickType must be ALL or UNIQUE"},
      {R"({"clickType": 1})", "clickType must be ALL or UNIQUE"},
      {R"({"uniqueWindowMinutes": 0})", "uniqueWindowMinutes must be a whole number from 1 to "},
      {R"({"uniqueWindowMinutes": 527041})", "uniqueWindowMinutes must be a whole number"},
      {R"({"password": 1234})", "password must be a string of at most 128 bytes"},
      {R"({"password": ")" + std::string(129, 'p') + "\"}", "password must be a string"},
      {R"({"deviceTargets": ["https://a.example.com/"]})", "deviceTargets must be an object"},
      {R"({"deviceTargets": {"blackberry": "https://a.example.com/"}})",
       "deviceTargets may only hold ios, android, windows and mobile"},
      {R"({"deviceTargets": {"ios": "javascript:x"}})",
       "deviceTargets.ios must start with https://"},
      {R"({"deviceTargets": {"mobile": 5}})", "deviceTargets.mobile must be a string"},
      {R"({"abTargets": {"url": "https://a.example.com/"}})", "abTargets must be an array"},
      {R"({"abTargets": )" + ab11 + "}", "abTargets must be an array of at most 10"},
      {R"({"abTargets": ["https://a.example.com/"]})", "abTargets[0] must be an object"},
      {R"({"abTargets": [{"url": "https://a.example.com/"}]})",
       "abTargets[0] needs both url and percentage"},
      {R"({"abTargets": [{"url": "https://a.example.com/", "percentage": 100, "w": 1}]})",
       "abTargets[0] may only hold url and percentage"},
      {R"({"abTargets": [{"url": "https://a.example.com/", "percentage": 0}]})",
       "abTargets[0].percentage must be a whole number from 1 to 100"},
      {R"({"abTargets": [{"url": "https://a.example.com/", "percentage": 101}]})",
       "abTargets[0].percentage must be a whole number from 1 to 100"},
      {R"({"abTargets": [{"url": "https://a.example.com/", "percentage": 60},
                         {"url": "http://b.example.com/", "percentage": 40}]})",
       "abTargets[1].url must start with https://"},
      {R"({"abTargets": [{"url": "https://a.example.com/", "percentage": 60},
                         {"url": "https://b.example.com/", "percentage": 30}]})",
       "abTargets percentages must sum to 100 (they sum to 90)"},
      {R"({"abTargets": [{"url": "https://a.example.com/", "percentage": 60},
                         {"url": "https://b.example.com/", "percentage": 60}]})",
       "(they sum to 120)"},
      {R"({"utm": "source=x"})", "utm must be an object"},
      {R"({"utm": {"campaign": "x", "id": "y"}})",
       "utm may only hold source, medium, campaign, term and content"},
      {R"({"utm": {"source": ""}})", "utm.source must be from 1 to 100 bytes"},
      {R"({"utm": {"term": ")" + std::string(101, 'u') + "\"}}", "utm.term must be from 1 to 100"},
      {R"({"utm": {"medium": "a\r\nb"}})", "utm.medium must not contain control characters"},
      {R"({"utm": {"content": 5}})", "utm.content must be a string"},
      {R"({"forwardQuery": "yes"})", "forwardQuery must be true or false"},
      {R"({"redirectType": 303})", "redirectType must be 301, 302, 307 or 308"},
      {R"({"redirectType": "301"})", "redirectType must be 301, 302, 307 or 308"},
      {R"({"redirectType": 301.0})", "redirectType must be 301, 302, 307 or 308"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    CHECK_THAT(Refusal(c.body), Catch::Contains(c.message));
  }
}

TEST_CASE("the rules are checked together, on the whole link", "[rules]") {
  auto check = [](std::string_view body, const Link& base = Link{}) {
    return CheckLinkPatch(ParseOk(body), base);
  };
  CHECK(check(R"({"expiresAt": "2030-01-01T00:00:00Z", "expiredUrl": "https://e.com/x"})").ok());
  CHECK(check(R"({"maxClicks": 5, "clickLimitUrl": "https://e.com/x"})").ok());
  CHECK(check(R"({"clickType": "UNIQUE", "uniqueWindowMinutes": 5})").ok());
  CHECK(check(R"({"expiresAt": "2030-01-01T00:00:00Z"})").ok());  // 410 after it: fine
  CHECK(check(R"({"maxClicks": 5})").ok());
  CHECK(check(R"({"clickType": "UNIQUE"})").ok());  // the default window

  auto refused = [&](std::string_view body, const Link& base, std::string_view message) {
    INFO(body);
    Status s = check(body, base);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(s.error().message, Catch::StartsWith(std::string(message)));
  };
  refused(R"({"expiredUrl": "https://e.com/x"})", {}, "expiredUrl needs expiresAt");
  refused(R"({"expiredUrl": "https://e.com/x", "expiresAt": null})", {},
          "expiredUrl needs expiresAt");
  refused(R"({"clickLimitUrl": "https://e.com/x"})", {}, "clickLimitUrl needs maxClicks");
  refused(R"({"uniqueWindowMinutes": 60})", {}, "uniqueWindowMinutes needs clickType UNIQUE");
  refused(R"({"uniqueWindowMinutes": 60, "clickType": "ALL"})", {},
          "uniqueWindowMinutes needs clickType UNIQUE");

  // Against a stored link: the other half may be there already, and
  // clearing one half alone leaves the other dangling.
  Link stored;
  stored.rules.expires_at_ms = 1'900'000'000'000;
  stored.rules.expired_url = "https://e.com/over";
  stored.rules.max_clicks = 10;
  stored.rules.click_limit_url = "https://e.com/full";
  stored.rules.click_type = ClickType::kUnique;
  stored.rules.unique_window_minutes = 30;
  CHECK(check(R"({"expiredUrl": "https://e.com/other"})", stored).ok());
  CHECK(check(R"({"expiresAt": null, "expiredUrl": null})", stored).ok());
  CHECK(check(R"({"maxClicks": null, "clickLimitUrl": null})", stored).ok());
  CHECK(check(R"({"clickType": "ALL", "uniqueWindowMinutes": null})", stored).ok());
  refused(R"({"expiresAt": null})", stored, "expiredUrl needs expiresAt");
  refused(R"({"maxClicks": null})", stored, "clickLimitUrl needs maxClicks");
  refused(R"({"clickType": "ALL"})", stored, "uniqueWindowMinutes needs clickType UNIQUE");
}

TEST_CASE("a create body carries the fields, checked before any hashing", "[rules][handlers]") {
  auto create = [](std::string_view body) {
    auto obj = ParseJsonObject(body);
    REQUIRE(obj.ok());
    return ParseCreateLink(*obj, Policy(), 7, kNowMs);
  };
  auto ok = create(R"({"longUrl": "https://example.com/", "title": "T", "password": "pw",
                       "maxClicks": 3, "clickLimitUrl": "https://example.com/full"})");
  REQUIRE(ok.ok());
  CHECK(ok->fields.title == "T");
  CHECK(ok->fields.password == "pw");
  CHECK(ok->fields.max_clicks == 3u);
  for (auto body : {R"({"longUrl": "https://example.com/", "expiredUrl": "https://e.com/x"})",
                    R"({"longUrl": "https://example.com/", "clickLimitUrl": "https://e.com/x"})",
                    R"({"longUrl": "https://example.com/", "uniqueWindowMinutes": 3})",
                    R"({"longUrl": "https://example.com/", "redirectType": 300})"}) {
    INFO(body);
    auto refused = create(body);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("a create body with an expiresAt in the past is refused, naming it",
          "[rules][handlers]") {
  auto create = [](std::string_view body) {
    auto obj = ParseJsonObject(body);
    REQUIRE(obj.ok());
    return ParseCreateLink(*obj, Policy(), 7, kNowMs);
  };
  // 2001, 2020 (what a client sent), and the very instant of the request.
  for (auto when : {"2001-09-09T01:46:40Z", "2020-06-01T00:00:00Z", "2027-01-15T08:00:00Z"}) {
    INFO(when);
    auto refused =
        create(std::string(R"({"longUrl": "https://example.com/", "expiresAt": ")") + when + "\"}");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(refused.error().message, Catch::Contains("expiresAt is in the past"));
  }
  auto later =
      create(R"({"longUrl": "https://example.com/", "expiresAt": "2027-01-15T08:00:01Z"})");
  REQUIRE(later.ok());
  CHECK(later->fields.expires_at_ms == kNowMs + 1000);
  auto cleared = create(R"({"longUrl": "https://example.com/", "expiresAt": null})");
  CHECK(cleared.ok());
  // A PATCH may set a past instant: that expires a link on purpose.
  CHECK(ParseOk(R"({"expiresAt": "2001-09-09T01:46:40Z"})").expires_at_ms == 1'000'000'000'000);
}

TEST_CASE("the writer never stores a plaintext password", "[rules]") {
  Link link;
  LinkPatch patch;
  patch.password = "secret";
  Status s = ApplyLinkPatch(patch, &link);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::kInternal);
  patch.password.reset();
  patch.password_hash = "secret";  // not a hash
  CHECK_FALSE(ApplyLinkPatch(patch, &link).ok());
  patch.password_hash = kHash;
  REQUIRE(ApplyLinkPatch(patch, &link).ok());
  CHECK(link.rules.password_hash == kHash);
  patch.password_hash = "";
  REQUIRE(ApplyLinkPatch(patch, &link).ok());
  CHECK(link.rules.password_hash.empty());

  Service f;
  CreateLink create{1, "https://example.com/", "plain-pw"};
  create.fields.password = "secret";
  auto refused = f.One(std::move(create));
  REQUIRE_FALSE(refused.status.ok());
  CHECK(refused.status.error().code == ErrorCode::kInternal);
  CHECK(f.Changes().empty());
}

TEST_CASE("PATCH: a present field replaces, null clears, absent leaves", "[rules]") {
  Service f;
  auto created = f.Create("merge", R"({
      "title": "First", "tags": ["a", "b"], "hidden": true,
      "expiresAt": "2030-01-01T00:00:00Z", "expiredUrl": "https://example.com/over",
      "deviceTargets": {"ios": "https://ios.example.com/", "android": "https://an.example.com/"},
      "utm": {"source": "news", "medium": "email"}, "redirectType": 301})");
  REQUIRE(created.status.ok());
  Link before = created.link;

  // Absent: untouched; present: replaced (deviceTargets and utm as whole objects).
  auto patched = f.Patch("merge", R"({"title": "Second",
      "deviceTargets": {"mobile": "https://m.example.com/"}, "utm": {"campaign": "c"}})");
  REQUIRE(patched.status.ok());
  const Link& l = patched.link;
  CHECK(l.title == "Second");
  CHECK(l.tags == before.tags);
  CHECK(l.hidden);
  CHECK(l.rules.expires_at_ms == before.rules.expires_at_ms);
  CHECK(l.rules.expired_url == "https://example.com/over");
  CHECK(l.rules.devices == DeviceTargets{"", "", "", "https://m.example.com/"});
  CHECK(l.rules.utm == UtmParameters{"", "", "c", "", ""});
  CHECK(l.rules.redirect_type == 301);
  CHECK(l.long_url == before.long_url);
  CHECK(l.created_at_ms == before.created_at_ms);
  CHECK(f.index.Get("merge").value() == l);

  // Null clears (a pair together).
  patched = f.Patch("merge", R"({"title": null, "tags": [], "hidden": false,
      "expiresAt": null, "expiredUrl": null, "deviceTargets": null, "utm": null,
      "redirectType": null})");
  REQUIRE(patched.status.ok());
  CHECK(patched.link.title.empty());
  CHECK(patched.link.tags.empty());
  CHECK_FALSE(patched.link.hidden);
  CHECK(patched.link.rules == LinkRules{});

  // An inconsistent result is refused and changes nothing.
  size_t changes = f.Changes().size();
  auto refused = f.Patch("merge", R"({"expiredUrl": "https://example.com/late"})");
  REQUIRE_FALSE(refused.status.ok());
  CHECK(refused.status.error().code == ErrorCode::kInvalidArgument);
  CHECK(refused.status.error().message.find("expiredUrl needs expiresAt") == 0);
  CHECK(f.Changes().size() == changes);
  CHECK(f.index.Get("merge")->rules.expired_url.empty());

  // The stored half of a pair counts: maxClicks stored, clickLimitUrl patched.
  REQUIRE(f.Patch("merge", R"({"maxClicks": 5})").status.ok());
  auto pair = f.Patch("merge", R"({"clickLimitUrl": "https://example.com/full"})");
  REQUIRE(pair.status.ok());
  CHECK(pair.link.rules.max_clicks == 5u);
  CHECK(pair.link.rules.click_limit_url == "https://example.com/full");
  CHECK_FALSE(f.Patch("merge", R"({"maxClicks": null})").status.ok());

  // A password arrives hashed; the change the nodes get carries the hash.
  UpdateLink with_password{1, "merge", std::nullopt, std::nullopt};
  with_password.fields.password_hash = kHash;
  auto hashed = f.One(std::move(with_password));
  REQUIRE(hashed.status.ok());
  CHECK(hashed.link.rules.password_hash == kHash);
  CHECK(f.Changes().back().link.rules.password_hash == kHash);

  // Someone else's link stays not found, whatever the body.
  UpdateLink other{2, "merge", std::nullopt, std::nullopt};
  other.fields.title = "x";
  CHECK(f.One(std::move(other)).status.error().code == ErrorCode::kNotFound);
}

TEST_CASE("a link without the new fields answers exactly as before", "[rules]") {
  Link link = Plain("plain");
  link.clicks = 3;
  link.created_at_ms = 1'663'558'260'131;
  link.updated_at_ms = 1'663'558'261'000;
  CHECK(boost::json::serialize(LinkToJson(link)) ==
        R"({"shortUrl":"plain","longUrl":"https://example.com/plain","state":"ACTIVE",)"
        R"("clicks":3,"createdAt":"2022-09-19T03:31:00.131Z",)"
        R"("updatedAt":"2022-09-19T03:31:01.000Z","isFile":false})");
  // Defaults that mean "not set" stay out too.
  link.hidden = false;
  link.rules.click_type = ClickType::kAll;
  CHECK(LinkToJson(link).size() == 7);
}

TEST_CASE("a link with every field answers each, never the password hash", "[rules]") {
  Service f;
  CreateLink create{1, "https://example.com/", "everything"};
  create.fields = ParseOk(R"({
    "title": "T", "tags": ["x", "y"], "hidden": true,
    "expiresAt": "2030-01-31T00:00:00.5Z", "expiredUrl": "https://example.com/over",
    "maxClicks": 9, "clickLimitUrl": "https://example.com/full",
    "clickType": "UNIQUE", "uniqueWindowMinutes": 15,
    "deviceTargets": {"android": "https://play.google.com/x"},
    "abTargets": [{"url": "https://a.example.com/", "percentage": 100}],
    "utm": {"source": "s", "content": "c"}, "forwardQuery": true, "redirectType": 307})");
  create.fields.password_hash = kHash;
  auto r = f.One(std::move(create));
  REQUIRE(r.status.ok());
  std::string json = boost::json::serialize(LinkToJson(r.link));
  CHECK(json.find("argon2") == std::string::npos);
  CHECK(json.find("password\"") == std::string::npos);
  boost::json::object o = LinkToJson(r.link);
  CHECK(o.at("title") == "T");
  CHECK(o.at("tags") == boost::json::array{"x", "y"});
  CHECK(o.at("hidden") == true);
  CHECK(o.at("expiresAt") == "2030-01-31T00:00:00.500Z");
  CHECK(o.at("expiredUrl") == "https://example.com/over");
  CHECK(o.at("maxClicks") == 9);
  CHECK(o.at("clickLimitUrl") == "https://example.com/full");
  CHECK(o.at("clickType") == "UNIQUE");
  CHECK(o.at("uniqueWindowMinutes") == 15);
  CHECK(o.at("passwordProtected") == true);
  CHECK(o.at("deviceTargets") == boost::json::object{{"android", "https://play.google.com/x"}});
  CHECK(o.at("abTargets") == boost::json::array{boost::json::object{
                                 {"url", "https://a.example.com/"}, {"percentage", 100}}});
  CHECK(o.at("utm") == boost::json::object{{"source", "s"}, {"content", "c"}});
  CHECK(o.at("forwardQuery") == true);
  CHECK(o.at("redirectType") == 307);
  CHECK(o.size() == 7 + 15);
  // What a client reads back is what it can send again (password aside).
  auto again = ParseJsonObject(json);
  REQUIRE(again.ok());
  auto reparsed = ParseLinkPatch(*again, Policy());
  REQUIRE(reparsed.ok());
  Link copy = r.link;
  copy.rules.password_hash.clear();
  Link rebuilt;
  REQUIRE(ApplyLinkPatch(*reparsed, &rebuilt).ok());
  CHECK(rebuilt.rules == copy.rules);
  CHECK(rebuilt.tags == copy.tags);
}

TEST_CASE("list parameters hidden and tag", "[rules][handlers]") {
  auto q = ParseListQuery({{"hidden", "true"}, {"tag", "Sale"}}, 7);
  REQUIRE(q.ok());
  CHECK(q->include_hidden);
  CHECK(q->tag == "Sale");
  q = ParseListQuery({{"hidden", "false"}}, 7);
  REQUIRE(q.ok());
  CHECK_FALSE(q->include_hidden);
  CHECK_FALSE(ParseListQuery({}, 7)->include_hidden);
  for (auto [key, value] : {std::pair{"hidden", "yes"},
                            {"hidden", "1"},
                            {"hidden", ""},
                            {"tag", ""},
                            {"tag", "0123456789012345678901234567890123456789012345678901"}}) {
    INFO(key << "=" << value);
    auto refused = ParseListQuery({{key, value}}, 7);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(refused.error().message, Catch::StartsWith(key));
  }
}

TEST_CASE("lists leave hidden links out unless asked, and filter by tag", "[rules][index]") {
  LinkIndex index;
  Link a = Plain("a", 1, 1), b = Plain("b", 1, 2), c = Plain("c", 1, 3), d = Plain("d", 1, 4);
  a.tags = {"Sale", "spring"};
  b.hidden = true;
  b.tags = {"sale"};
  c.title = "Quarterly Report";
  c.tags = {"sales"};  // not the tag "sale"
  d.rules.max_clicks = 5;
  for (const Link& l : {a, b, c, d}) index.Put(l);
  index.Put(Plain("other", 2, 5));

  ListQuery q;
  q.owner = 1;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"d", "c", "a"});
  CHECK(index.List(q).count == 3);
  q.include_hidden = true;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"d", "c", "b", "a"});
  q.order_by = OrderBy::kClicks;
  CHECK(index.List(q).count == 4);
  q.include_hidden = false;
  CHECK(index.List(q).count == 3);
  q.order_by = OrderBy::kCreatedAt;

  q.tag = "SALE";
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"a"});
  q.include_hidden = true;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"b", "a"});
  q.tag = "sal";  // a whole tag, not a part of one
  CHECK(index.List(q).count == 0);
  q.tag = "Spring";
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"a"});
  q.tag.clear();

  // searchText: code, URL, title and tags, case-insensitively.
  q.search_text = "quarterly rep";
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"c"});
  q.search_text = "SALE";
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"c", "b", "a"});
  q.search_text = "prin";
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"a"});
  q.search_text = "reportsales";  // no match across the title and a tag
  CHECK(index.List(q).count == 0);
  q.search_text = "sale";
  q.tag = "sales";
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"c"});

  // Rules and metadata survive the index; hidden follows updates and removal.
  CHECK(index.Get("d")->rules.max_clicks == 5u);
  CHECK(index.Get("a")->tags == a.tags);
  CHECK(index.Get("c")->title == "Quarterly Report");
  ListQuery plain;
  plain.owner = 1;
  b.hidden = false;
  index.Put(b);
  CHECK(index.List(plain).count == 4);
  a.hidden = true;
  index.Put(a);
  c.hidden = true;
  index.Put(c);
  CHECK(Codes(index.List(plain)) == std::vector<std::string>{"d", "b"});
  index.Remove("a");
  a.code = "a2";
  a.created_at_ms = 0;
  index.Put(a);  // a new place in the list, still hidden
  CHECK(index.List(plain).count == 2);
  index.Remove("c");
  index.Remove("a2");
  CHECK(Codes(index.List(plain)) == std::vector<std::string>{"d", "b"});
  plain.include_hidden = true;
  CHECK(index.List(plain).count == 2);
}

TEST_CASE("a hidden link at bulk load is counted as hidden", "[rules][index]") {
  LinkIndex index;
  Link h = Plain("h", 1, 2);
  h.hidden = true;
  index.LoadUnsorted(h);
  index.LoadUnsorted(Plain("v", 1, 1));
  index.FinishLoad();
  ListQuery q;
  q.owner = 1;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"v"});
  q.include_hidden = true;
  CHECK(Codes(index.List(q)) == std::vector<std::string>{"h", "v"});
}

TEST_CASE("clicks of a link under its click limit go out as changes", "[rules]") {
  Service f;
  REQUIRE(f.Create("limited", R"({"maxClicks": 5, "clickLimitUrl": "https://e.com/full"})")
              .status.ok());
  REQUIRE(f.One(CreateLink{1, "https://example.com/", "unlimited"}).status.ok());
  size_t base = f.Changes().size();
  REQUIRE(base == 2);

  auto clicks = [&](uint64_t number, std::vector<ClickEntry> counts) {
    REQUIRE(f.One(ApplyClicks{ClickBatch{"node-1", number, std::move(counts)}}).status.ok());
  };
  clicks(1, {{"limited", 3}, {"unlimited", 3}});
  auto changes = f.Changes();
  REQUIRE(changes.size() == base + 1);
  CHECK(changes.back().op == ChangeOp::kUpsert);
  CHECK(changes.back().link.code == "limited");
  CHECK(changes.back().link.clicks == 3u);
  CHECK(f.service->last_seq() == changes.back().seq);

  clicks(2, {{"unlimited", 10}});  // unlimited links: rewritten silently, as before
  CHECK(f.Changes().size() == base + 1);
  CHECK(f.index.Get("unlimited")->clicks == 13u);

  clicks(3, {{"limited", 4}});  // 3 -> 7 crosses the limit: the nodes must hear of it
  changes = f.Changes();
  REQUIRE(changes.size() == base + 2);
  CHECK(changes.back().link.clicks == 7u);
  CHECK(changes.back().link.rules.max_clicks == 5u);

  clicks(4, {{"limited", 1}});  // past the limit already: nothing new for the edge
  CHECK(f.Changes().size() == base + 2);
  CHECK(f.index.Get("limited")->clicks == 8u);

  clicks(4, {{"limited", 1}});  // a duplicate batch: nothing at all
  CHECK(f.index.Get("limited")->clicks == 8u);

  // Raising the limit is itself a change, and clicks under it count again.
  REQUIRE(f.Patch("limited", R"({"maxClicks": 10})").status.ok());
  clicks(5, {{"limited", 1}});
  changes = f.Changes();
  REQUIRE(changes.size() == base + 4);
  CHECK(changes.back().link.clicks == 9u);
}

TEST_CASE("passwords are hashed on the pool and the caller resumes on its own thread",
          "[rules][concurrent]") {
  boost::asio::io_context ioc;
  PasswordHasher hasher(2, 3);
  std::optional<Result<std::vector<std::string>>> hashed, busy;
  std::thread::id resumed_on;
  boost::asio::co_spawn(
      ioc,
      [&]() -> boost::asio::awaitable<void> {
        // (Vectors named, not braced in the co_await: GCC 12 miscompiles that.)
        std::vector<std::string> four = {"1", "2", "3", "4"}, two = {"first", "second"};
        busy.emplace(co_await hasher.Hash(std::move(four)));  // more than 3 pending
        hashed.emplace(co_await hasher.Hash(std::move(two)));
        resumed_on = std::this_thread::get_id();
      },
      boost::asio::detached);
  ioc.run();  // returns once the coroutine is done: the hashes count as work
  REQUIRE(busy);
  REQUIRE_FALSE(busy->ok());
  CHECK(busy->error().code == ErrorCode::kUnavailable);
  REQUIRE(hashed);
  REQUIRE(hashed->ok());
  REQUIRE((*hashed)->size() == 2);
  CHECK(IsPasswordHash((**hashed)[0]));
  CHECK(VerifyPassword((**hashed)[0], "first"));
  CHECK(VerifyPassword((**hashed)[1], "second"));
  CHECK_FALSE(VerifyPassword((**hashed)[1], "first"));
  CHECK(resumed_on == std::this_thread::get_id());
  CHECK(hasher.pending() == 0);
}

}  // namespace shortlink::admin
