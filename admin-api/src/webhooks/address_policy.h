// Which addresses a webhook may be sent to. A subscription names any URL, so
// without this check anyone allowed to make one could have admin-api POST
// into its own network (SSRF): loopback, private ranges, link-local (cloud
// metadata at 169.254.169.254), unspecified, and the like are refused.
//
// The check is made on the addresses a name resolves to, at each attempt,
// and the connection goes only to an address that passed (http_sender.h):
// checking a name and then letting the connect resolve it again would let a
// DNS server answer a public address first and a private one second.
//
// `allow_private` (admin-api serve --webhooks-allow-private) lifts the
// check: for tests, and for deployments whose receivers are internal.
//
// Thread safety: pure functions.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <vector>

namespace shortlink::admin::webhooks {

// True for addresses a webhook may not reach without allow_private:
// unspecified, loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7),
// link-local (169.254/16, fe80::/10), carrier-grade NAT (100.64/10),
// multicast, broadcast and reserved (0/8, 240/4), and the IPv4 forms inside
// IPv6 (::ffff:10.0.0.1) by their IPv4 address.
bool IsRefusedAddress(const boost::asio::ip::address& address);

// The endpoints of `resolved` that may be connected to.
std::vector<boost::asio::ip::tcp::endpoint> AllowedEndpoints(
    const std::vector<boost::asio::ip::tcp::endpoint>& resolved, bool allow_private);

}  // namespace shortlink::admin::webhooks
