// Fuzzes how admin-api reads JSON request bodies (simdjson, json_input.h)
// and turns them into commands, as the handlers of POST /api/v1/urls,
// POST /api/v1/urls/bulk, PATCH /api/v1/urls/{shortUrl}, POST /api/v1/users
// and POST /api/v1/keys do. Any body must be answered, never crash, and:
//   - a body that is refused is refused as bad input (400), with an error
//     reply that is itself valid JSON carrying the message;
//   - a create that is accepted holds exactly the body's longUrl, which
//     passes ValidateLongUrl, and a normalized shortUrl (or none);
//   - PATCH fields and user fields accepted only with the documented values;
//   - the optional link fields (title, tags, rules) accepted only within
//     their documented limits, and a link carrying them answers with valid
//     JSON that reads back to the same fields;
//   - a key expiry is none or in the future, and an accepted ISO-8601 time
//     formats back to itself;
//   - a custom domain (POST/PATCH /api/v1/domains, a create's "domain")
//     accepted only as a stored host name, never the default domain's, its
//     URLs empty or passing ValidateLongUrl;
//   - a key's "scopes" (POST /api/v1/keys) accepted only as endpoints and
//     methods the API knows, and printing back to the same scopes;
//   - a team's "siteName" (POST/PATCH /api/v1/teams) accepted only as
//     3-63 of [a-z0-9-], not starting or ending with '-'.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "accounts/account_routes.h"
#include "accounts/accounts.h"
#include "common/clock.h"
#include "common/password.h"
#include "common/validation.h"
#include "domains/domain_input.h"
#include "fuzz_check.h"
#include "http/http_types.h"
#include "http/iso8601.h"
#include "http/json_input.h"
#include "links/link_patch.h"
#include "links/link_routes.h"
#include "links/link_rules_json.h"
#include "teams/team.h"
#include "teams/team_json.h"

namespace shortlink::admin {
namespace {

constexpr uint64_t kOwner = 7;

const UrlPolicy& Policy() {
  static const auto* policy = new UrlPolicy{"go.example", DefaultShortenerBlocklist()};
  return *policy;
}

// A refusal is a 400 whose JSON body says why.
void CheckRefusal(const Error& error) {
  FUZZ_CHECK(error.code == ErrorCode::kInvalidArgument);
  FUZZ_CHECK(!error.message.empty());
  Response res = JsonError(error.code, error.message, 11, true);
  FUZZ_CHECK(res.result() == http::status::bad_request);
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(res.body(), ec);
  FUZZ_CHECK(!ec && body.is_object());
  FUZZ_CHECK(body.as_object()["message"] == boost::json::value(error.message));
}

// POST /api/v1/urls and one row of /urls/bulk.
void CheckCreate(const simdjson::dom::object& obj) {
  constexpr int64_t kNowMs = 1'800'000'000'000;  // 2027-01-15
  auto create = ParseCreateLink(obj, Policy(), kOwner, kNowMs);
  if (!create.ok()) return CheckRefusal(create.error());
  FUZZ_CHECK(create->owner == kOwner);
  FUZZ_CHECK(create->fields.expires_at_ms.value_or(kNowMs + 1) > kNowMs);  // never created expired
  std::string_view long_url;
  FUZZ_CHECK(!obj["longUrl"].get(long_url) && long_url == create->long_url);
  FUZZ_CHECK(ValidateLongUrl(create->long_url, Policy()).ok());
  if (!create->code.empty()) {
    auto again = NormalizeCode(create->code);
    FUZZ_CHECK(again.ok() && *again == create->code);
  }
  FUZZ_CHECK(create->domain.empty() || IsDomainName(create->domain));
}

// POST and PATCH /api/v1/domains.
void CheckDomain(const simdjson::dom::object& obj) {
  for (bool create : {true, false}) {
    auto fields = ParseDomainBody(obj, Policy(), create);
    if (!fields.ok()) {
      CheckRefusal(fields.error());
      continue;
    }
    FUZZ_CHECK(fields->host.has_value() == create);
    if (create) FUZZ_CHECK(IsDomainName(*fields->host) && *fields->host != Policy().own_host);
    for (const auto& url : {fields->root_redirect, fields->not_found_url})
      FUZZ_CHECK(!url || url->empty() || ValidateLongUrl(*url, Policy()).ok());
  }
}

// PATCH /api/v1/urls/{shortUrl}: optional longUrl and state.
void CheckUpdate(const simdjson::dom::object& obj) {
  auto long_url = OptionalString(obj, "longUrl");
  if (!long_url.ok()) return CheckRefusal(long_url.error());
  if (*long_url) {
    Status valid = ValidateLongUrl(**long_url, Policy());
    if (!valid.ok()) return CheckRefusal(valid.error());
  }
  auto state = OptionalString(obj, "state");
  if (!state.ok()) return CheckRefusal(state.error());
  LinkState parsed;
  if (*state && ParseLinkState(**state, &parsed))
    FUZZ_CHECK(**state == (parsed == LinkState::kActive ? "ACTIVE" : "INACTIVE"));
}

// The optional fields of a create body, a bulk row or a PATCH body.
void CheckLinkFields(const simdjson::dom::object& obj) {
  auto patch = ParseLinkPatch(obj, Policy());
  if (!patch.ok()) return CheckRefusal(patch.error());
  auto valid_url = [](const std::string& url) {
    return url.empty() || ValidateLongUrl(url, Policy()).ok();
  };
  auto plain_text = [](const std::string& text, size_t max) {
    for (unsigned char c : text) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
    FUZZ_CHECK(text.size() <= max);
  };
  if (patch->title) plain_text(*patch->title, kMaxTitleBytes);
  if (patch->tags) {
    FUZZ_CHECK(patch->tags->size() <= kMaxTags);
    for (const std::string& tag : *patch->tags) {
      FUZZ_CHECK(!tag.empty());
      plain_text(tag, kMaxTagBytes);
    }
  }
  if (patch->expires_at_ms) FUZZ_CHECK(*patch->expires_at_ms >= 0);
  if (patch->max_clicks) FUZZ_CHECK(*patch->max_clicks <= kMaxMaxClicks);
  if (patch->expired_url) FUZZ_CHECK(valid_url(*patch->expired_url));
  if (patch->click_limit_url) FUZZ_CHECK(valid_url(*patch->click_limit_url));
  if (patch->devices) {
    for (const std::string* url : {&patch->devices->ios, &patch->devices->android,
                                   &patch->devices->windows, &patch->devices->mobile})
      FUZZ_CHECK(valid_url(*url));
  }
  if (patch->ab_targets) {
    uint32_t sum = 0;
    for (const AbTarget& t : *patch->ab_targets) {
      FUZZ_CHECK(!t.url.empty() && valid_url(t.url));
      FUZZ_CHECK(t.percentage >= 1 && t.percentage <= 100);
      sum += t.percentage;
    }
    FUZZ_CHECK(patch->ab_targets->empty() || sum == 100);
  }
  if (patch->password) FUZZ_CHECK(patch->password->size() <= kMaxPasswordBytes);

  // Stored on a link (the password aside: it is hashed first), then shown.
  LinkPatch stored = *patch;
  stored.password.reset();
  Link link;
  FUZZ_CHECK(ApplyLinkPatch(stored, &link).ok());
  boost::json::object shown;
  AppendLinkFieldsJson(link, &shown);
  std::string text = boost::json::serialize(shown);
  boost::system::error_code ec;
  boost::json::parse(text, ec);
  FUZZ_CHECK(!ec);
  // What a client reads it can send back: the same fields. (A parser of its
  // own: ParseJsonObject's would invalidate `obj`.)
  simdjson::dom::parser parser;
  simdjson::dom::object again;
  FUZZ_CHECK(!parser.parse(text).get(again));
  auto reread = ParseLinkPatch(again, Policy());
  FUZZ_CHECK(reread.ok());
  Link round_trip;
  FUZZ_CHECK(ApplyLinkPatch(*reread, &round_trip).ok());
  FUZZ_CHECK(round_trip.title == link.title && round_trip.tags == link.tags &&
             round_trip.hidden == link.hidden && round_trip.rules == link.rules);
}

// POST /api/v1/users: email and optional role.
void CheckUser(const simdjson::dom::object& obj) {
  auto email = OptionalString(obj, "email");
  if (!email.ok()) return CheckRefusal(email.error());
  if (*email) {
    auto normalized = NormalizeEmail(**email);
    if (!normalized.ok()) {
      CheckRefusal(normalized.error());
    } else {
      const std::string& e = *normalized;
      size_t at = e.find('@');
      FUZZ_CHECK(e.size() <= 254 && at != std::string::npos && at > 0);
      FUZZ_CHECK(e.find('@', at + 1) == std::string::npos && e.find('.', at) != std::string::npos);
      for (unsigned char c : e) FUZZ_CHECK(c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z'));
    }
  }
  auto role_text = OptionalString(obj, "role");
  if (!role_text.ok()) return CheckRefusal(role_text.error());
  Role role;
  if (*role_text && ParseRole(**role_text, &role)) FUZZ_CHECK(RoleName(role) == **role_text);
}

// POST /api/v1/keys: an optional expiry, in the future, at most ten years
// ahead when given in days; a time it accepts prints back as itself.
void CheckKeyExpiry(std::string_view body) {
  constexpr int64_t kNow = 1'800'000'000'000;  // 2027-01-15, ms
  auto expires = ParseKeyExpiry(body, kNow);
  if (!expires.ok()) return CheckRefusal(expires.error());
  FUZZ_CHECK(*expires == 0 || *expires > kNow);
}

// The ISO-8601 reader on its own (the fuzzer reaches more of it without the
// JSON around it): what it accepts after 1970 formats back to the same
// instant.
void CheckIso8601(std::string_view text) {
  int64_t ms = 0;
  if (!ParseIso8601Utc(text, &ms) || ms < 0) return;
  int64_t again = -1;
  FUZZ_CHECK(ParseIso8601Utc(FormatIso8601Millis(ms), &again) && again == ms);
}

// POST /api/v1/keys {"scopes": {...}}: what is accepted reads back the same.
void CheckScopes(const simdjson::dom::object& obj) {
  simdjson::dom::element value;
  if (obj["scopes"].get(value)) return;
  auto scopes = ParseScopes(value);
  if (!scopes.ok()) return CheckRefusal(scopes.error());
  std::string printed = boost::json::serialize(ScopesToJson(*scopes));
  // Parsed with simdjson again (the printed form is the API's own answer).
  simdjson::dom::parser parser;
  simdjson::dom::element again;
  FUZZ_CHECK(!parser.parse(printed).get(again));
  auto reread = ParseScopes(again);
  FUZZ_CHECK(reread.ok() && *reread == *scopes);
}

// POST and PATCH /api/v1/teams {"siteName"}.
void CheckSiteName(const simdjson::dom::object& obj) {
  std::string_view name;
  if (obj["siteName"].get(name)) return;
  Status s = shortlink::admin::CheckSiteName(name);
  if (!s.ok()) return CheckRefusal(s.error());
  FUZZ_CHECK(name.size() >= 3 && name.size() <= 63);
  FUZZ_CHECK(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == name.npos);
  FUZZ_CHECK(name.front() != '-' && name.back() != '-');
}

// POST /api/v1/urls/bulk: {"urls": [row, ...]}, each row answered apart.
void CheckBulk(const simdjson::dom::object& obj) {
  simdjson::dom::array rows;
  if (obj["urls"].get(rows)) return;
  for (simdjson::dom::element row : rows) {
    simdjson::dom::object row_obj;
    if (!row.get(row_obj)) CheckCreate(row_obj);
  }
}

}  // namespace
}  // namespace shortlink::admin

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shortlink::admin;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  CheckKeyExpiry(body);
  CheckIso8601(body);
  auto obj = ParseJsonObject(body);
  if (!obj.ok()) {
    CheckRefusal(obj.error());
    return 0;
  }
  CheckCreate(*obj);
  CheckUpdate(*obj);
  CheckLinkFields(*obj);
  CheckUser(*obj);
  CheckBulk(*obj);
  CheckDomain(*obj);
  CheckScopes(*obj);
  CheckSiteName(*obj);
  return 0;
}
