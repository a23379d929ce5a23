// Where a visitor's address comes from (for unique clicks and the password
// guess limit). Behind a load balancer the TCP peer is the balancer: name
// the header it sets. Only trust a header your own proxy overwrites.
//
// Thread safety: a pure function.
#pragma once

#include <string_view>

#include "edge/request_head.h"

namespace shortlink::redirector {

enum class ClientAddressSource { kPeer, kXForwardedFor, kXRealIp };

// The visitor's address for `head` under `source`: for X-Forwarded-For the
// last element (the one the nearest proxy appended), for X-Real-IP the
// field; the peer's address when the header is absent or empty.
std::string_view ClientAddress(ClientAddressSource source, const RequestHead& head,
                               std::string_view peer);

}  // namespace shortlink::redirector
