// The URL a link is followed at, the text its QR code holds.
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "common/link.h"

namespace shortlink::admin::qr {

// A link on the default domain: `public_url` (serve --public-url, e.g.
// "https://go.example", a trailing '/' ignored) then "/" and its code. A
// link on a custom domain: that host with --public-url's scheme (the nodes
// serve every domain on the same listeners; "https" when no --public-url is
// set), "/" and the code. Empty when the link is on the default domain and
// `public_url` is empty: the server does not know its own short domain.
std::string ShortUrlOf(std::string_view public_url, const Link& link);

}  // namespace shortlink::admin::qr
