// What both geolocation sources do to an address before the database sees
// it: sort it into IPv4 or IPv6 (an IPv4-mapped IPv6 address is IPv4: a
// dual-stack socket reports IPv4 clients that way), and answer "ZZ" at once
// for addresses no database places (private, loopback, link-local,
// multicast, reserved). Internal to classify/.
#pragma once

#include <cstdint>
#include <string_view>

namespace shortlink::classify {

// A 128-bit IPv6 address as two host-order halves, ordered as numbers.
struct Ipv6Key {
  uint64_t hi = 0;
  uint64_t lo = 0;

  auto operator<=>(const Ipv6Key&) const = default;
};

struct ClientAddress {
  enum class Kind : uint8_t { kUnknown, kV4, kV6 };
  Kind kind = Kind::kUnknown;
  uint32_t v4 = 0;  // host order, when kind == kV4
  Ipv6Key v6;       // when kind == kV6
};

// `address`: raw network-order bytes, 4 or 16. Any other length, and every
// address that is not globally routed, is kUnknown.
ClientAddress ReadClientAddress(std::string_view address);

}  // namespace shortlink::classify
