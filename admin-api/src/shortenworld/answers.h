// The bodies of /v1 answers: Shorten World's envelope around what the
// /api/v1 route answered (calls.h).
//
//   {"status": {"code": 0, "message": "Success", "timestamp": "2030-01-31T10:00:00.000Z"},
//    ...the call's data ("token", "teams", "links", "link", "metricsMap", ...)}
//
// A refusal keeps the HTTP status the route gave (400, 401, 403, 404, 409,
// 429, 500...) and carries it as status.code too, never 0, with the route's
// message. Timestamps are ISO 8601 UTC with milliseconds, as everywhere in
// the API.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace shortlink::admin::shortenworld {

inline constexpr std::string_view kSuccess = "Success";

boost::json::object StatusObject(int code, std::string_view message, int64_t now_ms);
// {"status": {0, "Success", now}} followed by `data`'s fields.
std::string SuccessBody(const boost::json::object& data, int64_t now_ms);
// {"status": {http_status, message, now}}: the message of the route's
// {"message": ...} answer, else the status's reason phrase.
std::string ErrorBody(unsigned http_status, std::string_view inner_body, int64_t now_ms);

// A link of /api/v1 (links/link_json.h) as /v1 answers it: "id" (its
// linkId), "code", "shortLink" and "destination" in place of shortUrl and
// longUrl, the other fields as they are. `public_url`: --public-url, the
// default domain's base; a custom domain's links are https://<domain>/<code>.
boost::json::object LinkAnswer(const boost::json::object& inner, std::string_view public_url);

// A list answer of /api/v1 ({"items"|"urls": [...], "total"|"count": n})
// as {"<key>": [...], "total", "page", "size"}.
boost::json::object ListAnswer(const boost::json::object& inner, std::string_view key, size_t page,
                               size_t size);

}  // namespace shortlink::admin::shortenworld
