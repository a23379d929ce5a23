// Webhooks and deliveries as the API shows them, and the bodies of POST and
// PATCH /api/v1/webhooks read into plain values.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "webhooks/subscriptions.h"
#include "webhooks/webhook.h"

namespace shortlink::admin::webhooks {

// {id, url, events, enabled, disabledReason (null while enabled),
// createdAt, updatedAt}; the secret only when `with_secret` (the create).
boost::json::object WebhookToJson(const Webhook& webhook, bool with_secret = false);
// {id, eventId, event, status, attempts, statusCode, error, createdAt,
// lastAttemptAt, nextAttemptAt}: nulls where there is nothing yet.
boost::json::object DeliveryToJson(const Delivery& delivery);

struct NewWebhook {
  std::string url;
  uint8_t events = 0;
};
// {"url": "https://...", "events": ["link.created", ...]}: both required.
// `allow_http` as CheckWebhookUrl.
Result<NewWebhook> ParseWebhookCreate(std::string_view body, bool allow_http);
// {"url"?, "events"?, "enabled"?}: at least one.
Result<WebhookPatch> ParseWebhookPatch(std::string_view body, bool allow_http);

}  // namespace shortlink::admin::webhooks
