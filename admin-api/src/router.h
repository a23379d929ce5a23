// Router: maps method and path to a handler, authenticates the caller as the
// route requires (API key, node token, or nobody), applies the per-user rate
// limit, and records metrics and an access log line for every request.
//
// Routes() is the table itself: the OpenAPI test compares it with
// admin-api/openapi.yaml so the document cannot fall behind.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>
#include <vector>

#include "api_context.h"
#include "http_types.h"
#include "request_context.h"

namespace shortlink::admin {

enum class Auth { kNone, kApiKey, kNodeToken };

struct Route {
  http::verb method;
  std::string_view pattern;  // "/api/v1/urls/{shortUrl}": a {name} segment matches one segment
  Auth auth;
  Awaitable (*handle)(ApiContext&, RequestContext&);
};

const std::vector<Route>& Routes();

// Splits a request target as the handlers see it: rc->path (percent-decoded,
// without the query), rc->query and rc->query_keys (decoded). False when
// `target` is not in origin form. Apart from Router::Handle so that the
// fuzzers (tests/fuzz/api_fuzz.cc) reach it without a server.
bool DecodeTarget(std::string_view target, RequestContext* rc);

class Router {
 public:
  explicit Router(ApiContext* ctx);
  boost::asio::awaitable<Reply> Handle(Request& req, std::string_view remote);

 private:
  ApiContext* ctx_;
  Histogram* latency_;
};

}  // namespace shortlink::admin
