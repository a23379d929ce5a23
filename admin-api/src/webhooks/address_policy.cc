#include "webhooks/address_policy.h"

#include <cstdint>

namespace shortlink::admin::webhooks {
namespace {

bool IsRefusedV4(const boost::asio::ip::address_v4& a) {
  const uint32_t ip = a.to_uint();
  auto in = [ip](uint32_t net, int bits) { return (ip >> (32 - bits)) == (net >> (32 - bits)); };
  return in(0x00000000, 8) ||   // 0.0.0.0/8: "this network", unspecified
         in(0x0A000000, 8) ||   // 10/8
         in(0x64400000, 10) ||  // 100.64/10: carrier-grade NAT
         in(0x7F000000, 8) ||   // 127/8: loopback
         in(0xA9FE0000, 16) ||  // 169.254/16: link-local, cloud metadata
         in(0xAC100000, 12) ||  // 172.16/12
         in(0xC0000000, 24) ||  // 192.0.0/24: IETF protocol assignments
         in(0xC0A80000, 16) ||  // 192.168/16
         in(0xC6120000, 15) ||  // 198.18/15: benchmarking
         in(0xE0000000, 4) ||   // 224/4: multicast
         in(0xF0000000, 4);     // 240/4: reserved, and the broadcast address
}

}  // namespace

bool IsRefusedAddress(const boost::asio::ip::address& address) {
  if (address.is_v4()) return IsRefusedV4(address.to_v4());
  const boost::asio::ip::address_v6 a = address.to_v6();
  if (a.is_v4_mapped())
    return IsRefusedV4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a));
  const auto bytes = a.to_bytes();
  return a.is_unspecified() || a.is_loopback() || a.is_multicast() ||
         (bytes[0] & 0xfe) == 0xfc ||                        // fc00::/7: unique local
         (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) ||  // fe80::/10: link-local
         (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0xc0) ||  // fec0::/10: site-local (deprecated)
         (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b) ||  // NAT64
         (bytes[0] == 0x20 && bytes[1] == 0x02);  // 2002::/16: 6to4 (embeds any IPv4)
}

std::vector<boost::asio::ip::tcp::endpoint> AllowedEndpoints(
    const std::vector<boost::asio::ip::tcp::endpoint>& resolved, bool allow_private) {
  std::vector<boost::asio::ip::tcp::endpoint> allowed;
  for (const auto& endpoint : resolved)
    if (allow_private || !IsRefusedAddress(endpoint.address())) allowed.push_back(endpoint);
  return allowed;
}

}  // namespace shortlink::admin::webhooks
