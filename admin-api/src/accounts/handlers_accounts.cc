#include <boost/json.hpp>
#include <charconv>

#include "accounts/account_routes.h"
#include "auth/access.h"
#include "common/clock.h"
#include "http/iso8601.h"
#include "http/json_input.h"

namespace shortlink::admin {
namespace {

constexpr int64_t kMaxKeyLifetimeDays = 3650;  // ten years
constexpr int64_t kMillisPerDay = 86'400'000;

Error BadExpiry(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

boost::json::object KeyToJson(const ApiKeyInfo& k) {
  boost::json::object o;
  o["id"] = k.id;
  o["hint"] = k.hint;
  o["environment"] = k.environment == Environment::kStaging ? "staging" : "production";
  o["createdAt"] = FormatIso8601Millis(k.created_at_ms);
  o["lastUsedAt"] =
      k.last_used_at_ms ? boost::json::value(FormatIso8601Millis(k.last_used_at_ms)) : nullptr;
  o["revoked"] = k.revoked;
  if (k.revoked) o["revokedAt"] = FormatIso8601Millis(k.revoked_at_ms);
  o["expiresAt"] =
      k.expires_at_ms ? boost::json::value(FormatIso8601Millis(k.expires_at_ms)) : nullptr;
  return o;
}

boost::json::object NewKeyToJson(const NewApiKey& key) {
  boost::json::object o = KeyToJson(key.info);
  o["key"] = key.secret;  // shown this once; only its hash is kept
  return o;
}

Result<int64_t> ParseKeyExpiry(std::string_view body, int64_t now_ms) {
  // The body is optional: `curl -X POST .../keys` with none makes a key
  // that never expires, as before expiry existed.
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return int64_t{0};
  auto obj = ParseJsonObject(body);
  if (!obj.ok()) return obj.error();
  constexpr std::string_view kKeyFields[] = {"expiresAt", "expiresInDays"};
  Status known = OnlyKnownFields(*obj, kKeyFields);
  if (!known.ok()) return known.error();
  return KeyExpiryOf(*obj, now_ms);
}

Result<int64_t> KeyExpiryOf(const simdjson::dom::object& body, int64_t now_ms) {
  const simdjson::dom::object* obj = &body;
  auto at = OptionalString(*obj, "expiresAt");
  if (!at.ok()) return at.error();
  simdjson::dom::element days_value;
  bool has_days = !obj->at_key("expiresInDays").get(days_value) && !days_value.is_null();
  if (*at && has_days) return BadExpiry("Give expiresAt or expiresInDays, not both.");
  if (*at) {
    int64_t expires = 0;
    if (!ParseIso8601Utc(**at, &expires)) {
      return BadExpiry("expiresAt must be an ISO-8601 UTC time like 2030-01-31T00:00:00Z.");
    }
    if (expires <= now_ms) return BadExpiry("expiresAt must be in the future.");
    return expires;
  }
  if (has_days) {
    int64_t days = 0;
    if (days_value.get_int64().get(days) || days < 1 || days > kMaxKeyLifetimeDays) {
      return BadExpiry("expiresInDays must be a whole number from 1 to 3650.");
    }
    return now_ms + days * kMillisPerDay;
  }
  return int64_t{0};
}

namespace {

// A refusal of the access check: as if the route did not exist, as
// POST /api/v1/users answered members before the check moved to auth/.
Reply NotFound(const RequestContext& rc) { return rc.Error(ErrorCode::kNotFound, "Not found."); }

Awaitable CreateUser(AccountApi& ctx, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kCreateUser)) co_return NotFound(rc);
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  constexpr std::string_view kUserFields[] = {"email", "role"};
  Status known = OnlyKnownFields(*obj, kUserFields);
  if (!known.ok()) co_return rc.Error(known.error());
  auto email = OptionalString(*obj, "email");
  if (!email.ok()) co_return rc.Error(email.error());
  if (!*email) co_return rc.Error(ErrorCode::kInvalidArgument, "email is required.");
  auto role_text = OptionalString(*obj, "role");
  if (!role_text.ok()) co_return rc.Error(role_text.error());
  Role role = Role::kMember;
  if (*role_text && !ParseRole(**role_text, &role)) {
    co_return rc.Error(ErrorCode::kInvalidArgument, "role must be admin or member.");
  }
  auto user = ctx.accounts->CreateUser(**email, role);
  if (!user.ok()) co_return rc.Error(user.error());
  // Its personal team, where its first key acts (a failure here is mended
  // at the next start, which makes every missing personal team).
  if (ctx.on_user_created) ctx.on_user_created(*user);
  // The new user needs a key to do anything: hand the admin its first one.
  auto key = ctx.accounts->CreateKey(user->id, ctx.environment);
  if (!key.ok()) co_return rc.Error(key.error());
  boost::json::object body;
  body["id"] = user->id;
  body["email"] = user->email;
  body["role"] = RoleName(user->role);
  body["createdAt"] = FormatIso8601Millis(user->created_at_ms);
  body["apiKey"] = NewKeyToJson(*key);
  co_return rc.Json(http::status::created, boost::json::serialize(body));
}

// PATCH /api/v1/users/{id} {"locked": true|false}: a site admin locks a user
// out (its keys and tokens open nothing, its logins answer 403) or lets it
// back in. Nothing else of a user changes here.
Awaitable PatchUser(AccountApi& ctx, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kCreateUser)) co_return NotFound(rc);
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(rc.param.data(), rc.param.data() + rc.param.size(), id);
  if (ec != std::errc() || end != rc.param.data() + rc.param.size())
    co_return rc.Error(ErrorCode::kNotFound, "No such user.");
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  constexpr std::string_view kFields[] = {"locked"};
  if (Status s = OnlyKnownFields(*obj, kFields); !s.ok()) co_return rc.Error(s.error());
  bool locked = false;
  if ((*obj)["locked"].get(locked))
    co_return rc.Error(ErrorCode::kInvalidArgument, "locked (true or false) is required.");
  if (locked && id == rc.principal->user)
    co_return rc.Error(ErrorCode::kInvalidArgument, "You cannot lock yourself out.");
  auto user = ctx.accounts->SetLocked(id, locked);
  if (!user.ok()) co_return rc.Error(user.error());
  boost::json::object body;
  body["id"] = user->id;
  body["email"] = user->email;
  body["role"] = RoleName(user->role);
  body["locked"] = user->locked();
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

}  // namespace

void RegisterAccountRoutes(Router& router, AccountApi& api) {
  using http::verb;
  router.Add({verb::post, "/api/v1/users", Auth::kApiKey, Bind(api, CreateUser)});
  router.Add({verb::patch, "/api/v1/users/{id}", Auth::kApiKey, Bind(api, PatchUser)});
}

}  // namespace shortlink::admin
