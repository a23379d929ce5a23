// Webhook signatures: what lets a receiver tell our requests from forgeries
// and replays. Each request carries
//
//   Shortlink-Webhook-Timestamp: <unix seconds>
//   Shortlink-Webhook-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">
//
// keyed with the subscription's secret. The timestamp is signed with the
// body, so a receiver that refuses timestamps older than a few minutes
// refuses replays too; "v1=" leaves room for another scheme beside it
// during a secret rotation.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shortlink::admin::webhooks {

// Lowercase hex of HMAC-SHA256(key, message) (OpenSSL); aborts if OpenSSL
// cannot compute it, rather than send an unsigned request.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// The Shortlink-Webhook-Signature value for `body` sent at `timestamp`.
std::string SignatureHeader(std::string_view secret, int64_t timestamp, std::string_view body);

}  // namespace shortlink::admin::webhooks
