// Router: maps method and path to a handler, has auth/ resolve the caller's
// principal for the credential the route takes (API key, node token, or
// none), applies the per-user rate limit, and records metrics and an access
// log line for every request, those the HTTP layer refused before routing
// included (RecordRefused). It knows no handler and no credential: each area
// adds its own routes (links/link_routes.h, accounts/account_routes.h,
// nodes/node_routes.h, ops/ops_routes.h), all before the server starts, and
// asks auth/access.h what a principal may do.
//
// Thread safety: Add before serving; then Handle and RecordRefused may run
// on any number of threads at once (the metrics registry, the log, the
// authenticator and the rate limiter are thread-safe).
//
// routes() is the table itself: the OpenAPI test compares it with
// admin-api/openapi.yaml so the document cannot fall behind.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "auth/authenticator.h"
#include "common/metrics.h"
#include "http/http_types.h"
#include "http/rate_limiter.h"
#include "http/request_context.h"

namespace shortlink::admin {

// The credential a route takes (auth/authenticator.h).
using Auth = auth::Credential;

struct Route {
  http::verb method;
  std::string_view pattern;  // "/api/v1/urls/{shortUrl}": a {name} segment matches one segment
  Auth auth;
  std::function<Awaitable(RequestContext&)> handle;  // holds its area's context by reference
  // Set by Router::Add for API key routes: the endpoint its scopes name
  // (auth/scopes.h); none: no scope needed.
  std::optional<auth::Endpoint> endpoint = std::nullopt;
};

// A route's handler from an area's handler function and the area's context,
// which must outlive the router: each area's Register*Routes uses it.
template <class Api>
std::function<Awaitable(RequestContext&)> Bind(Api& api,
                                               Awaitable (*handler)(Api&, RequestContext&)) {
  return [&api, handler](RequestContext& rc) { return handler(api, rc); };
}

// Splits a request target as the handlers see it: rc->path (percent-decoded,
// without the query), rc->query and rc->query_keys (decoded). False when
// `target` is not in origin form. Apart from Router::Handle so that the
// fuzzers (tests/fuzz/api_query_fuzz.cc) reach it without a server.
bool DecodeTarget(std::string_view target, RequestContext* rc);

class Router {
 public:
  // `authenticator` and `limiter` (per user, on API key routes; may be null
  // when no request will pass authentication) outlive the router.
  Router(MetricsRegistry* metrics, const auth::Authenticator* authenticator, RateLimiter* limiter);

  void Add(Route route);
  const std::vector<Route>& routes() const { return routes_; }

  // Runs the handler of every admitted request of a user, in place of
  // calling it: usage/ counts each one there (usage/usage_routes.h) and may
  // answer for it (a team over its quota). Set before serving; none: the
  // handler runs directly.
  using Handler = std::function<Awaitable(RequestContext&)>;
  using UserRequestGate = std::function<Awaitable(RequestContext&, const Handler&)>;
  void SetUserRequestGate(UserRequestGate gate) { user_gate_ = std::move(gate); }

  // Routes, authenticates (auth/authenticator.h), rate-limits and runs one
  // request; a 405 carries Allow, a 401 WWW-Authenticate. Counted and logged.
  boost::asio::awaitable<Reply> Handle(Request& req, std::string_view remote);

  // Counts and logs a request the HTTP layer answered itself (413, 414,
  // 431, 400) under the route it was meant for, as Handle does for the
  // others. `head` may be partial (a 414 has no complete head).
  void RecordRefused(const http::request_header<>& head, http::status status,
                     std::string_view remote);

 private:
  void Record(http::verb method, std::string_view route_name, unsigned status, double seconds,
              std::string_view user, std::string_view remote);

  // The principal of `rc`'s request for `route`, set in rc.principal, and
  // none when the request may go on; else the refusal (401, 429). `rate`:
  // the rate limiter's decision, when it was asked.
  std::optional<Reply> Admit(const Route& route, RequestContext& rc,
                             std::optional<RateLimiter::Decision>* rate) const;
  const Route* FindRoute(http::verb method, const std::vector<std::string_view>& segments,
                         RequestContext* rc, bool* path_known) const;
  std::string AllowedMethods(const std::vector<std::string_view>& segments) const;

  MetricsRegistry* metrics_;
  const auth::Authenticator* authenticator_;
  RateLimiter* limiter_;
  std::vector<Route> routes_;
  Histogram* latency_;
  UserRequestGate user_gate_;
};

}  // namespace shortlink::admin
