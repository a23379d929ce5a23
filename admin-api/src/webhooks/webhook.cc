#include "webhooks/webhook.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "store/db_keys.h"

namespace shortlink::admin::webhooks {
namespace {

constexpr size_t kMaxUrlBytes = 2000;

Error Corrupt(std::string_view what) {
  return MakeError(ErrorCode::kInternal, "unreadable " + std::string(what) + " record");
}

int64_t Int(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : v && v->is_uint64() ? int64_t(v->as_uint64()) : 0;
}

std::string Str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool Bool(const boost::json::object& o, std::string_view key, bool fallback) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_bool() ? v->as_bool() : fallback;
}

std::optional<boost::json::object> ParseObject(std::string_view bytes) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(bytes, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

}  // namespace

std::string_view EventName(Event event) {
  switch (event) {
    case kLinkCreated:
      return "link.created";
    case kLinkUpdated:
      return "link.updated";
    case kLinkDeleted:
      return "link.deleted";
    case kLinkClicked:
      return "link.clicked";
    case kPing:
      return "ping";
  }
  return "";
}

std::optional<Event> ParseEvent(std::string_view name) {
  for (Event e : {kLinkCreated, kLinkUpdated, kLinkDeleted, kLinkClicked})
    if (EventName(e) == name) return e;
  return std::nullopt;
}

void EncodeWebhook(const Webhook& w, std::string* out) {
  boost::json::object o;
  o["team"] = w.team;
  o["url"] = w.url;
  o["events"] = w.events;
  o["secret"] = w.secret;
  o["enabled"] = w.enabled;
  if (!w.disabled_reason.empty()) o["disabled_reason"] = w.disabled_reason;
  o["created_at_ms"] = w.created_at_ms;
  o["updated_at_ms"] = w.updated_at_ms;
  *out = boost::json::serialize(o);
}

Result<Webhook> DecodeWebhook(uint64_t id, std::string_view bytes) {
  auto o = ParseObject(bytes);
  if (!o) return Corrupt("webhook");
  Webhook w;
  w.id = id;
  w.team = static_cast<uint64_t>(Int(*o, "team"));
  w.url = Str(*o, "url");
  w.events = static_cast<uint8_t>(Int(*o, "events")) & kSubscribableEvents;
  w.secret = Str(*o, "secret");
  w.enabled = Bool(*o, "enabled", true);
  w.disabled_reason = Str(*o, "disabled_reason");
  w.created_at_ms = Int(*o, "created_at_ms");
  w.updated_at_ms = Int(*o, "updated_at_ms");
  if (w.team == 0 || w.url.empty() || w.secret.empty()) return Corrupt("webhook");
  return w;
}

Status CheckWebhookUrl(std::string_view url, bool allow_http) {
  auto bad = [](std::string message) { return MakeError(ErrorCode::kInvalidArgument, message); };
  if (url.size() > kMaxUrlBytes) return bad("url must be at most 2000 characters.");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return bad("url must be an absolute https URL.");
  if (parsed->scheme() != "https" && !(allow_http && parsed->scheme() == "http")) {
    return bad(allow_http ? "url must be an http or https URL." : "url must be an https URL.");
  }
  if (parsed->host().empty()) return bad("url must name a host.");
  if (parsed->has_userinfo()) return bad("url must not hold a user name or password.");
  if (parsed->has_fragment()) return bad("url must not hold a fragment (#...).");
  if (parsed->has_port() && parsed->port_number() == 0) return bad("url has an invalid port.");
  return Status::Ok();
}

std::string_view DeliveryStateName(Delivery::State state) {
  switch (state) {
    case Delivery::State::kPending:
      return "pending";
    case Delivery::State::kDelivered:
      return "delivered";
    case Delivery::State::kFailed:
      return "failed";
  }
  return "";
}

void EncodeDelivery(const Delivery& d, std::string* out) {
  boost::json::object o;
  o["webhook"] = d.webhook;
  o["number"] = d.number;
  o["event_id"] = d.event_id;
  o["event"] = static_cast<int>(d.event);
  o["body"] = d.body;
  o["created_at_ms"] = d.created_at_ms;
  o["state"] = static_cast<int>(d.state);
  o["attempts"] = d.attempts;
  o["next_attempt_ms"] = d.next_attempt_ms;
  o["last_attempt_ms"] = d.last_attempt_ms;
  o["last_status"] = d.last_status;
  if (!d.last_error.empty()) o["last_error"] = d.last_error;
  *out = boost::json::serialize(o);
}

Result<Delivery> DecodeDelivery(std::string_view bytes) {
  auto o = ParseObject(bytes);
  if (!o) return Corrupt("webhook delivery");
  Delivery d;
  d.webhook = static_cast<uint64_t>(Int(*o, "webhook"));
  d.number = static_cast<uint64_t>(Int(*o, "number"));
  d.event_id = Str(*o, "event_id");
  d.event = static_cast<Event>(Int(*o, "event"));
  d.body = Str(*o, "body");
  d.created_at_ms = Int(*o, "created_at_ms");
  int64_t state = Int(*o, "state");
  if (state < 0 || state > 2 || d.webhook == 0 || d.event_id.empty())
    return Corrupt("webhook delivery");
  d.state = static_cast<Delivery::State>(state);
  d.attempts = static_cast<uint32_t>(Int(*o, "attempts"));
  d.next_attempt_ms = Int(*o, "next_attempt_ms");
  d.last_attempt_ms = Int(*o, "last_attempt_ms");
  d.last_status = static_cast<int>(Int(*o, "last_status"));
  d.last_error = Str(*o, "last_error");
  return d;
}

std::string DeliveryKey(uint64_t webhook, uint64_t number) {
  return dbkey::Number(webhook) + dbkey::Number(number);
}

std::string DeliveryPrefix(uint64_t webhook) { return dbkey::Number(webhook); }

}  // namespace shortlink::admin::webhooks
