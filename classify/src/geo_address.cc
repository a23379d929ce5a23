#include "geo_address.h"

namespace shortlink::classify {
namespace {

uint32_t LoadBigEndian32(const unsigned char* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

uint64_t LoadBigEndian64(const unsigned char* p) {
  return uint64_t{LoadBigEndian32(p)} << 32 | LoadBigEndian32(p + 4);
}

// RFC 6890's special-purpose IPv4 blocks that no geolocation database
// places: 0/8, 10/8, 100.64/10 (carrier-grade NAT), 127/8, 169.254/16,
// 172.16/12, 192.168/16, and 224/3 (multicast, reserved, broadcast).
bool IsUnroutedV4(uint32_t a) {
  const uint32_t first = a >> 24;
  return first == 0 || first == 10 || first == 127 || first >= 224 ||
         (a & 0xffc00000u) == 0x64400000u ||  // 100.64.0.0/10
         (a & 0xffff0000u) == 0xa9fe0000u ||  // 169.254.0.0/16
         (a & 0xfff00000u) == 0xac100000u ||  // 172.16.0.0/12
         (a & 0xffff0000u) == 0xc0a80000u;    // 192.168.0.0/16
}

// IPv6: unspecified and loopback (::, ::1), unique local fc00::/7,
// link-local fe80::/10, multicast ff00::/8.
bool IsUnroutedV6(const Ipv6Key& a) {
  if (a.hi == 0 && a.lo <= 1) return true;
  const uint64_t top = a.hi >> 56;
  return (top & 0xfe) == 0xfc || top == 0xff || (a.hi >> 54) == (0xfe80ull >> 6);
}

}  // namespace

ClientAddress ReadClientAddress(std::string_view address) {
  ClientAddress out;
  const auto* bytes = reinterpret_cast<const unsigned char*>(address.data());
  if (address.size() == 4) {
    out.v4 = LoadBigEndian32(bytes);
    if (!IsUnroutedV4(out.v4)) out.kind = ClientAddress::Kind::kV4;
  } else if (address.size() == 16) {
    const Ipv6Key key{LoadBigEndian64(bytes), LoadBigEndian64(bytes + 8)};
    if (key.hi == 0 && (key.lo >> 32) == 0xffff) {  // ::ffff:a.b.c.d
      out.v4 = static_cast<uint32_t>(key.lo);
      if (!IsUnroutedV4(out.v4)) out.kind = ClientAddress::Kind::kV4;
    } else if (!IsUnroutedV6(key)) {
      out.v6 = key;
      out.kind = ClientAddress::Kind::kV6;
    }
  }
  return out;
}

}  // namespace shortlink::classify
