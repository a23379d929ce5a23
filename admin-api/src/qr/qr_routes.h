// The QR code of a link (issue 21), scoped urls:GET like reading the link:
//
//   GET /api/v1/urls/{shortUrl}/qr?format=svg|png&size=N[&domain=HOST]
//
// The image encodes the link's short URL (short_url.h); `size` is its width
// in pixels, 64-2048, default 256; `format` svg (default) or png. A link of
// another team answers 404, as the link routes do.
#pragma once

#include <string>

#include "http/router.h"
#include "links/link_commands.h"

namespace shortlink::admin {

// What the QR route reaches; `links` outlives the router.
struct QrApi {
  LinkApi* links = nullptr;  // the index: the link and its owner
  std::string public_url;    // serve --public-url; empty: default-domain links have no QR code
};

void RegisterQrRoutes(Router& router, QrApi& api);

}  // namespace shortlink::admin
