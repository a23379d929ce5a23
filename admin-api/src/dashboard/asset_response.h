// The HTTP answer for one of the dashboard's files: a plain function from
// request to response (no router, no socket), so the unit test calls what
// the route calls.
//
// Every answer, 404 included, carries the dashboard's security headers:
// a Content-Security-Policy that allows only our own scripts, styles and
// fetches (no inline script or style anywhere in web/), nosniff, no
// Referer, no framing. Files are revalidated on every load (no-cache, with
// their ETag, answered 304 when unchanged): their names carry no version, so
// a longer lifetime would pin a browser to an old app.js after an upgrade,
// and the whole dashboard is ~100 KB, a handful of 304s.
#pragma once

#include <string_view>

#include "http/http_types.h"

namespace shortlink::admin::dashboard {

inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

// The Content-Type of a file by its extension; application/octet-stream for
// one we do not know (never guessed from the bytes: nosniff).
std::string_view ContentTypeOf(std::string_view name);

// `name`'s file for `req` (GET or HEAD): 200 with the body, gzip when the
// request accepts it; 304 when If-None-Match names its ETag; 404 JSON
// {"message"} when there is no such file.
Response AssetResponse(const Request& req, std::string_view name);

}  // namespace shortlink::admin::dashboard
