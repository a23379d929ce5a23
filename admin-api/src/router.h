// Router: maps method and path to a handler, authenticates the caller as the
// route requires (API key, node token, or nobody), applies the per-user rate
// limit, and records metrics and an access log line for every request,
// those the HTTP layer refused before routing included (RecordRefused).
//
// Thread safety: Handle and RecordRefused may run on any number of threads
// at once (the metrics registry and the log are thread-safe).
//
// Routes() is the table itself: the OpenAPI test compares it with
// admin-api/openapi.yaml so the document cannot fall behind.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>
#include <vector>

#include "api_context.h"
#include "http/http_types.h"
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
// fuzzers (tests/fuzz/api_query_fuzz.cc) reach it without a server.
bool DecodeTarget(std::string_view target, RequestContext* rc);

// The realms of the 401 challenges (WWW-Authenticate: Bearer realm="...").
inline constexpr std::string_view kApiRealm = "shortlink";         // API keys
inline constexpr std::string_view kNodeRealm = "shortlink-nodes";  // the node token

class Router {
 public:
  explicit Router(ApiContext* ctx);
  // Routes, authenticates, rate-limits and runs one request; a 405 carries
  // Allow, a 401 WWW-Authenticate. Counted and logged.
  boost::asio::awaitable<Reply> Handle(Request& req, std::string_view remote);

  // Counts and logs a request the HTTP layer answered itself (413, 414,
  // 431, 400) under the route it was meant for, as Handle does for the
  // others. `head` may be partial (a 414 has no complete head).
  void RecordRefused(const http::request_header<>& head, http::status status,
                     std::string_view remote);

 private:
  void Record(http::verb method, std::string_view route_name, unsigned status, double seconds,
              std::string_view user, std::string_view remote);

  ApiContext* ctx_;
  Histogram* latency_;
};

}  // namespace shortlink::admin
