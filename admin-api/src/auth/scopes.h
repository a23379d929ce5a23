// Scopes: what an API key may call, per endpoint AND per method, as
// GoGoWorx keys are enabled (../shared/reference/gogoworx-api-overview.txt).
// A request outside its key's scopes is refused 403 by the router, naming
// what is missing; roles (access.h) then decide within the team.
//
// An endpoint is the first segment after /api/v1/ of a route's pattern
// (/api/v1/urls/bulk is "bulk", .../urls/{shortUrl}/analytics "analytics"),
// so a new area's routes are scoped without registering anything.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <ostream>  // boost/core string_view, under beast/http/verb.hpp, needs it declared

#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shortlink::admin::auth {

enum class Endpoint : uint8_t {
  kUrls,
  kBulk,
  kKeys,
  kUsers,
  kTeams,
  kCampaigns,
  kDomains,
  kAnalytics,
  kUsage,
  kWebhooks,
};
inline constexpr int kEndpointCount = 10;
// The endpoints before kWebhooks: a key stored with every scope of these was
// a full-scope key then, and gets every later endpoint too (FromBits).
inline constexpr int kEndpointsBeforeWebhooks = 9;

// PUT and PATCH are one method class, as GoGoWorx enables them together.
enum class MethodClass : uint8_t { kGet, kPost, kPutPatch, kDelete };
inline constexpr int kMethodClassCount = 4;

std::string_view EndpointName(Endpoint endpoint);
std::optional<Endpoint> ParseEndpoint(std::string_view name);
std::string_view MethodClassName(MethodClass method);  // "GET", "POST", "PUT/PATCH", "DELETE"
// GET and HEAD are kGet; anything not scoped (OPTIONS) none.
std::optional<MethodClass> MethodClassOf(boost::beast::http::verb verb);
// The endpoint a route pattern belongs to; none outside /api/v1/ or for a
// first segment that is no endpoint (such routes take no API key).
std::optional<Endpoint> EndpointOfPattern(std::string_view pattern);

class Scopes {
 public:
  static constexpr Scopes None() { return Scopes(0); }
  static constexpr Scopes All() { return Scopes((uint64_t{1} << (kEndpointCount * 4)) - 1); }
  // A stored key's scopes. A key stored before kWebhooks existed (without
  // kKnowsWebhooks) that held every scope then holds every scope now:
  // full-scope keys stay full as endpoints are added, while a key made
  // since with every scope but webhooks keeps its choice.
  static constexpr Scopes FromBits(uint64_t bits) {
    constexpr uint64_t kFullBefore = (uint64_t{1} << (kEndpointsBeforeWebhooks * 4)) - 1;
    if (!(bits & kKnowsWebhooks) && (bits & kFullBefore) == kFullBefore) return All();
    return Scopes(bits & All().bits_);
  }

  constexpr bool Allows(Endpoint e, MethodClass m) const { return (bits_ & Bit(e, m)) != 0; }
  constexpr void Grant(Endpoint e, MethodClass m) { bits_ |= Bit(e, m); }
  // What a key record stores: the scopes, and kKnowsWebhooks.
  constexpr uint64_t bits() const { return bits_ | kKnowsWebhooks; }
  // Set in every value bits() gives: scopes stored by a release that knew
  // the webhooks endpoint, whose absence is then a choice (FromBits).
  static constexpr uint64_t kKnowsWebhooks = uint64_t{1} << 63;
  constexpr bool operator==(const Scopes&) const = default;

 private:
  explicit constexpr Scopes(uint64_t bits) : bits_(bits) {}
  static constexpr uint64_t Bit(Endpoint e, MethodClass m) {
    return uint64_t{1} << (static_cast<int>(e) * kMethodClassCount + static_cast<int>(m));
  }
  uint64_t bits_;
};

// The 403 message of a request outside `scopes`, e.g. "This API key may not
// POST on teams: it lacks the teams:POST scope."
std::string MissingScopeMessage(Endpoint endpoint, MethodClass method);

}  // namespace shortlink::admin::auth
