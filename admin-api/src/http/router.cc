#include "http/router.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <chrono>

#include "common/log.h"

namespace shortlink::admin {
namespace {

using http::verb;

// Splits "/a/b/c" into its segments; false for an empty segment ("//", a
// trailing "/"), which no route has. The root "/" has none.
bool Segments(std::string_view path, std::vector<std::string_view>* out) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() == 1) return true;
  path.remove_prefix(1);
  while (!path.empty() || out->empty()) {
    auto slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (seg.empty()) return false;
    out->push_back(seg);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
    if (path.empty()) return false;
  }
  return true;
}

// Matches `path` against `pattern`; the {param} segments' texts go to
// `params`, in order.
bool Match(std::string_view pattern, const std::vector<std::string_view>& path,
           std::vector<std::string>* params) {
  std::vector<std::string_view> want;
  Segments(pattern, &want);
  if (want.size() != path.size()) return false;
  params->clear();
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].front() == '{')
      params->emplace_back(path[i]);
    else if (want[i] != path[i])
      return false;
  }
  return true;
}

}  // namespace

bool DecodeTarget(std::string_view target, RequestContext* rc) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return false;
  rc->path = parsed->path();  // decoded
  for (auto param : parsed->params()) {
    rc->query_keys.push_back(param.key);
    rc->query[param.key] = param.value;
  }
  return true;
}

Router::Router(MetricsRegistry* metrics, const auth::Authenticator* authenticator,
               RateLimiter* limiter)
    : metrics_(metrics),
      authenticator_(authenticator),
      limiter_(limiter),
      latency_(metrics->GetHistogram("admin_http_request_seconds",
                                     "Time from request read to reply ready.")) {}

void Router::Add(Route route) {
  if (route.auth == Auth::kApiKey) route.endpoint = auth::EndpointOfPattern(route.pattern);
  routes_.push_back(std::move(route));
}

// The route serving `method` on the path `segments`, and its {param}
// segments into rc; null when none does (`path_known`: some route has the path).
const Route* Router::FindRoute(verb method, const std::vector<std::string_view>& segments,
                               RequestContext* rc, bool* path_known) const {
  for (const Route& r : routes_) {
    std::vector<std::string> params;
    if (!Match(r.pattern, segments, &params)) continue;
    *path_known = true;
    // HEAD is GET without a body; Beast drops the body when writing.
    if (r.method == method || (method == verb::head && r.method == verb::get)) {
      rc->param = params.empty() ? std::string() : params.front();
      rc->params = std::move(params);
      return &r;
    }
  }
  return nullptr;
}

// The methods a path answers, for a 405's Allow (RFC 9110 15.5.6): those of
// every route whose pattern matches, HEAD with GET, in a fixed order.
std::string Router::AllowedMethods(const std::vector<std::string_view>& segments) const {
  static constexpr verb kOrder[] = {verb::get, verb::head,  verb::post,
                                    verb::put, verb::patch, verb::delete_};
  std::vector<verb> served;
  for (const Route& r : routes_) {
    std::vector<std::string> unused;
    if (!Match(r.pattern, segments, &unused)) continue;
    served.push_back(r.method);
    if (r.method == verb::get) served.push_back(verb::head);
  }
  std::string allow;
  for (verb v : kOrder) {
    if (std::find(served.begin(), served.end(), v) == served.end()) continue;
    if (!allow.empty()) allow += ", ";
    allow += http::to_string(v);
  }
  return allow;
}

std::optional<Reply> Router::Admit(const Route& route, RequestContext& rc,
                                   std::optional<RateLimiter::Decision>* rate) const {
  if (route.auth == Auth::kNone) return std::nullopt;
  auth::Presented presented;
  if (auto it = rc.req.find(http::field::authorization); it != rc.req.end())
    presented.authorization = it->value();
  if (auto it = rc.req.find("x-api-key"); it != rc.req.end()) presented.api_key = it->value();
  if (auto it = rc.req.find("x-account-uuid"); it != rc.req.end()) presented.account = it->value();
  auto principal = authenticator_->Resolve(route.auth, presented);
  if (!principal.ok()) {
    Reply reply = rc.Error(principal.error());
    reply.response.set(http::field::www_authenticate, auth::Challenge(route.auth, presented.any()));
    return reply;
  }
  rc.principal = *principal;
  // Users share the API by rate; the nodes are few and hold the token.
  if (!principal->is_user()) return std::nullopt;
  // The key's scopes: per endpoint and method (auth/scopes.h).
  if (route.endpoint) {
    auto method = auth::MethodClassOf(rc.req.method());
    if (!method || !principal->scopes.Allows(*route.endpoint, *method))
      return rc.Error(
          ErrorCode::kForbidden,
          auth::MissingScopeMessage(*route.endpoint, method.value_or(auth::MethodClass::kGet)));
  }
  auto decision = limiter_->Check(principal->user);
  *rate = decision;
  if (decision.allowed) return std::nullopt;
  Reply reply = rc.Error(ErrorCode::kRateLimited,
                         "Too many requests. Requests from this user are refused for " +
                             std::to_string(decision.retry_after_seconds) + " seconds.");
  reply.response.set(http::field::retry_after, std::to_string(decision.retry_after_seconds));
  return reply;
}

boost::asio::awaitable<Reply> Router::Handle(Request& req, std::string_view remote) {
  auto started = std::chrono::steady_clock::now();
  RequestContext rc{req, {}, {}, {}, {}, {}, {}, std::string(remote)};
  const Route* route = nullptr;
  bool path_known = false;
  Reply reply;
  std::optional<RateLimiter::Decision> rate;

  std::vector<std::string_view> segments;
  if (DecodeTarget(req.target(), &rc) && Segments(rc.path, &segments))
    route = FindRoute(req.method(), segments, &rc, &path_known);

  if (!route) {
    reply = path_known ? rc.Error(ErrorCode::kInvalidArgument, "Method not allowed on this path.")
                       : rc.Error(ErrorCode::kNotFound, "Not found.");
    if (path_known) {
      reply.response.result(http::status::method_not_allowed);
      reply.response.set(http::field::allow, AllowedMethods(segments));
    }
  } else if (std::optional<Reply> refused = Admit(*route, rc, &rate)) {
    reply = std::move(*refused);
  } else if (user_gate_ && rc.principal && rc.principal->is_user()) {
    reply = co_await user_gate_(rc, route->handle);
  } else {
    reply = co_await route->handle(rc);
  }
  if (rate) SetRateLimitHeaders(*rate, &reply.response);

  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  latency_->Observe(seconds);
  Record(req.method(), route ? route->pattern : "unmatched", reply.response.result_int(), seconds,
         rc.principal && rc.principal->is_user() ? std::to_string(rc.principal->user) : "", remote);
  co_return reply;
}

void Router::RecordRefused(const http::request_header<>& head, http::status status,
                           std::string_view remote) {
  // The route as the router would have chosen it, so a refused request is
  // counted under the same labels as a served one.
  std::string_view route_name = "unmatched";
  Request unused;
  RequestContext rc{unused, {}, {}, {}, {}, {}, {}, std::string(remote)};
  std::vector<std::string_view> segments;
  bool path_known = false;
  if (DecodeTarget(head.target(), &rc) && Segments(rc.path, &segments)) {
    if (const Route* route = FindRoute(head.method(), segments, &rc, &path_known))
      route_name = route->pattern;
  }
  Record(head.method(), route_name, static_cast<unsigned>(status), 0, "", remote);
}

void Router::Record(http::verb method, std::string_view route_name, unsigned status, double seconds,
                    std::string_view user, std::string_view remote) {
  // The method's name from Beast's fixed list ("<unknown>" for others), so
  // a client cannot add label values.
  std::string method_text(http::to_string(method));
  metrics_
      ->GetCounter("admin_http_requests_total", "HTTP requests by route, method and status.",
                   "route=\"" + EscapeLabelValue(std::string(route_name)) + "\",method=\"" +
                       EscapeLabelValue(method_text) + "\",status=\"" + std::to_string(status) +
                       "\"")
      ->Add();
  if (route_name == "/healthz" || route_name == "/metrics") return;
  LogInfo("request", {{"method", method_text},
                      {"route", route_name},
                      {"status", std::to_string(status)},
                      {"ms", std::to_string(seconds * 1000)},
                      {"user", user},
                      {"remote", remote}});
}

}  // namespace shortlink::admin
