#include <boost/json.hpp>
#include <charconv>

#include "common/clock.h"
#include "handlers.h"
#include "json_input.h"

namespace shortlink::admin {
namespace {

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
  return o;
}

boost::json::object NewKeyToJson(const NewApiKey& key) {
  boost::json::object o = KeyToJson(key.info);
  o["key"] = key.secret;  // shown this once; only its hash is kept
  return o;
}

}  // namespace

Awaitable CreateKey(ApiContext& ctx, RequestContext& rc) {
  auto key = ctx.accounts->CreateKey(rc.user->id, ctx.environment);
  if (!key.ok()) co_return rc.Error(key.error());
  co_return rc.Json(http::status::created, boost::json::serialize(NewKeyToJson(*key)));
}

Awaitable ListKeys(ApiContext& ctx, RequestContext& rc) {
  boost::json::array keys;
  for (const ApiKeyInfo& k : ctx.accounts->ListKeys(rc.user->id)) keys.push_back(KeyToJson(k));
  boost::json::object body;
  body["keys"] = std::move(keys);
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

Awaitable RevokeKey(ApiContext& ctx, RequestContext& rc) {
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(rc.param.data(), rc.param.data() + rc.param.size(), id);
  if (ec != std::errc() || end != rc.param.data() + rc.param.size()) {
    co_return rc.Error(ErrorCode::kNotFound, "API key not found.");
  }
  Status s = ctx.accounts->RevokeKey(rc.user->id, id);
  if (!s.ok()) co_return rc.Error(s.error());
  boost::json::object body;
  body["message"] = "API key " + std::to_string(id) + " revoked.";
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

Awaitable CreateUser(ApiContext& ctx, RequestContext& rc) {
  if (rc.user->role != Role::kAdmin) co_return rc.Error(ErrorCode::kNotFound, "Not found.");
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
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

}  // namespace shortlink::admin
