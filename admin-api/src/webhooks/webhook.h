// A webhook subscription and a delivery, as stored; their JSON codecs.
//
// Records are JSON objects (boost::json) rather than our tagged binary: a
// team holds a handful of subscriptions and deliveries are few beside
// links, so readability when debugging wins over bytes. Unknown members
// are ignored when decoding, so fields can be added.
//
// Keys (store/table.h):
//   kWebhooks           webhook id, 8 bytes BE -> Webhook
//   kWebhookDeliveries  webhook id, 8 bytes BE | delivery number, 8 bytes BE
//                       -> Delivery: one webhook's deliveries are contiguous,
//                       oldest first (numbers grow across all webhooks)
//   kMeta "next_webhook_id", "next_webhook_delivery": counters
//   kMeta "webhook_change_seq": the last change turned into deliveries
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace shortlink::admin::webhooks {

enum Event : uint8_t {
  kLinkCreated = 1 << 0,
  kLinkUpdated = 1 << 1,
  kLinkDeleted = 1 << 2,
  kLinkClicked = 1 << 3,
  kPing = 1 << 4,  // POST /webhooks/{id}/test only: never subscribed to
};
inline constexpr uint8_t kSubscribableEvents =
    kLinkCreated | kLinkUpdated | kLinkDeleted | kLinkClicked;

std::string_view EventName(Event event);  // "link.created", ... "ping"
// One of the four events a subscription may name; none for anything else.
std::optional<Event> ParseEvent(std::string_view name);

struct Webhook {
  uint64_t id = 0;
  uint64_t team = 0;
  std::string url;     // checked by CheckWebhookUrl
  uint8_t events = 0;  // Event bits, of kSubscribableEvents
  // Sent as the HMAC key, so kept as given (not hashed, unlike API keys);
  // shown to the client once, at create.
  std::string secret;
  bool enabled = true;
  std::string disabled_reason;  // why it was disabled; empty while enabled
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

void EncodeWebhook(const Webhook& webhook, std::string* out);
Result<Webhook> DecodeWebhook(uint64_t id, std::string_view bytes);

// A subscription's URL: absolute http(s) with a host, no user info or
// fragment, at most 2,000 bytes; plain http only when `allow_http` (the
// server's --webhooks-allow-private: local receivers). kInvalidArgument
// names what is wrong.
Status CheckWebhookUrl(std::string_view url, bool allow_http);

// One event on its way to one webhook, with its attempts so far.
struct Delivery {
  enum class State : uint8_t { kPending, kDelivered, kFailed };

  uint64_t webhook = 0;
  uint64_t number = 0;   // unique across webhooks; orders a webhook's log
  std::string event_id;  // the body's "id": the same for every attempt
  Event event = kPing;
  std::string body;  // the JSON sent, fixed at creation
  int64_t created_at_ms = 0;
  State state = State::kPending;
  uint32_t attempts = 0;
  int64_t next_attempt_ms = 0;  // pending: when the next attempt is due
  int64_t last_attempt_ms = 0;  // 0: none yet
  int last_status = 0;          // the HTTP status of the last attempt; 0: none
  std::string last_error;       // why the last attempt failed, if it did without a status
};

std::string_view DeliveryStateName(Delivery::State state);  // "pending", "delivered", "failed"
void EncodeDelivery(const Delivery& delivery, std::string* out);
Result<Delivery> DecodeDelivery(std::string_view bytes);
std::string DeliveryKey(uint64_t webhook, uint64_t number);
std::string DeliveryPrefix(uint64_t webhook);

}  // namespace shortlink::admin::webhooks
