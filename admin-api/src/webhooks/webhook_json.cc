#include "webhooks/webhook_json.h"

#include <simdjson.h>
#include <boost/json.hpp>

#include "common/clock.h"
#include "http/json_input.h"

namespace shortlink::admin::webhooks {
namespace {

Error Bad(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

boost::json::value TimeOrNull(int64_t ms) {
  if (ms == 0) return nullptr;
  return boost::json::value(FormatIso8601Millis(ms));
}

Result<uint8_t> ReadEvents(simdjson::dom::element value) {
  simdjson::dom::array list;
  if (value.get(list)) return Bad("events must be a list of event names.");
  uint8_t events = 0;
  for (simdjson::dom::element item : list) {
    std::string_view name;
    if (item.get(name)) return Bad("events must be a list of event names.");
    std::optional<Event> event = ParseEvent(name);
    if (!event) {
      return Bad("events: unknown event \"" + std::string(name.substr(0, 64)) +
                 "\" (link.created, link.updated, link.deleted, link.clicked).");
    }
    events |= *event;
  }
  if (events == 0) return Bad("events must name at least one event.");
  return events;
}

Result<std::string> ReadUrl(simdjson::dom::element value, bool allow_http) {
  std::string_view url;
  if (value.get(url)) return Bad("url must be a string.");
  if (Status s = CheckWebhookUrl(url, allow_http); !s.ok()) return s.error();
  return std::string(url);
}

}  // namespace

boost::json::object WebhookToJson(const Webhook& w, bool with_secret) {
  boost::json::object o;
  o["id"] = w.id;
  o["url"] = w.url;
  boost::json::array events;
  for (Event e : {kLinkCreated, kLinkUpdated, kLinkDeleted, kLinkClicked})
    if (w.events & e) events.emplace_back(EventName(e));
  o["events"] = std::move(events);
  o["enabled"] = w.enabled;
  o["disabledReason"] =
      w.enabled ? boost::json::value(nullptr) : boost::json::value(w.disabled_reason);
  o["createdAt"] = FormatIso8601Millis(w.created_at_ms);
  o["updatedAt"] = FormatIso8601Millis(w.updated_at_ms);
  if (with_secret) o["secret"] = w.secret;
  return o;
}

boost::json::object DeliveryToJson(const Delivery& d) {
  boost::json::object o;
  o["id"] = d.number;
  o["eventId"] = d.event_id;
  o["event"] = EventName(d.event);
  o["status"] = DeliveryStateName(d.state);
  o["attempts"] = d.attempts;
  o["statusCode"] = d.last_status ? boost::json::value(d.last_status) : boost::json::value(nullptr);
  o["error"] =
      d.last_error.empty() ? boost::json::value(nullptr) : boost::json::value(d.last_error);
  o["createdAt"] = FormatIso8601Millis(d.created_at_ms);
  o["lastAttemptAt"] = TimeOrNull(d.last_attempt_ms);
  o["nextAttemptAt"] =
      d.state == Delivery::State::kPending ? TimeOrNull(d.next_attempt_ms) : nullptr;
  return o;
}

Result<NewWebhook> ParseWebhookCreate(std::string_view body, bool allow_http) {
  auto obj = ParseJsonObject(body);
  if (!obj.ok()) return obj.error();
  constexpr std::string_view kFields[] = {"url", "events"};
  if (Status s = OnlyKnownFields(*obj, kFields); !s.ok()) return s.error();
  NewWebhook out;
  simdjson::dom::element value;
  if (obj->at_key("url").get(value)) return Bad("url is required.");
  auto url = ReadUrl(value, allow_http);
  if (!url.ok()) return url.error();
  out.url = std::move(url).value();
  if (obj->at_key("events").get(value)) return Bad("events is required.");
  auto events = ReadEvents(value);
  if (!events.ok()) return events.error();
  out.events = *events;
  return out;
}

Result<WebhookPatch> ParseWebhookPatch(std::string_view body, bool allow_http) {
  auto obj = ParseJsonObject(body);
  if (!obj.ok()) return obj.error();
  constexpr std::string_view kFields[] = {"url", "events", "enabled"};
  if (Status s = OnlyKnownFields(*obj, kFields); !s.ok()) return s.error();
  WebhookPatch patch;
  simdjson::dom::element value;
  if (!obj->at_key("url").get(value)) {
    auto url = ReadUrl(value, allow_http);
    if (!url.ok()) return url.error();
    patch.url = std::move(url).value();
  }
  if (!obj->at_key("events").get(value)) {
    auto events = ReadEvents(value);
    if (!events.ok()) return events.error();
    patch.events = *events;
  }
  if (!obj->at_key("enabled").get(value)) {
    bool enabled = false;
    if (value.get(enabled)) return Bad("enabled must be true or false.");
    patch.enabled = enabled;
  }
  if (!patch.url && !patch.events && !patch.enabled)
    return Bad("Give at least one of url, events, enabled.");
  return patch;
}

}  // namespace shortlink::admin::webhooks
