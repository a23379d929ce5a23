// The HTTP vocabulary of admin-api: requests in, replies out. A reply is
// either a whole response or a header plus a source of body chunks (the
// node snapshot, which is far too large to build in memory).
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <string>

#include "common/result.h"

namespace shortlink::admin {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Reply {
  Response response;
  // When set, the body is sent chunked: each call appends the next piece to
  // its argument and returns whether more follow. An error ends the stream
  // abruptly so the client sees a truncated transfer, never a short "success".
  std::function<Result<bool>(std::string*)> chunks;
};

// {"message": ...} with the status that `code` maps to; the Go API's shape.
Response JsonError(ErrorCode code, std::string_view message, unsigned version, bool keep_alive);
Response JsonError(http::status status, std::string_view message, unsigned version,
                   bool keep_alive);
Response JsonResponse(http::status status, std::string body, unsigned version, bool keep_alive);
http::status StatusFor(ErrorCode code);

}  // namespace shortlink::admin
