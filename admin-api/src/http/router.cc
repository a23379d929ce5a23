#include "http/router.h"

#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/url/parse.hpp>
#include <chrono>

#include "common/log.h"

namespace shortlink::admin {
namespace {

using http::verb;

// Splits "/a/b/c" into its segments; false for an empty segment ("//", a
// trailing "/"), which no route has.
bool Segments(std::string_view path, std::vector<std::string_view>* out) {
  if (path.empty() || path[0] != '/') return false;
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

// Matches `path` against `pattern`; the {param} segment's text goes to `param`.
bool Match(std::string_view pattern, const std::vector<std::string_view>& path,
           std::string* param) {
  std::vector<std::string_view> want;
  Segments(pattern, &want);
  if (want.size() != path.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].front() == '{')
      param->assign(path[i]);
    else if (want[i] != path[i])
      return false;
  }
  return true;
}

std::string_view BearerToken(const Request& req) {
  auto it = req.find(http::field::authorization);
  if (it == req.end()) return {};
  std::string_view value = it->value();
  constexpr std::string_view kScheme = "Bearer ";
  if (value.size() <= kScheme.size() ||
      !boost::algorithm::iequals(value.substr(0, kScheme.size()), kScheme))
    return {};
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

// RFC 6750 3: a 401 names the scheme and realm it wants; error="invalid_token"
// when a credential was given and refused.
void Challenge(Reply* reply, std::string_view realm, bool credential_given) {
  std::string value = "Bearer realm=\"" + std::string(realm) + "\"";
  if (credential_given) value += ", error=\"invalid_token\"";
  reply->response.set(http::field::www_authenticate, value);
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

Router::Router(MetricsRegistry* metrics, RouterChecks checks)
    : metrics_(metrics),
      checks_(std::move(checks)),
      latency_(metrics->GetHistogram("admin_http_request_seconds",
                                     "Time from request read to reply ready.")) {}

void Router::Add(Route route) { routes_.push_back(std::move(route)); }

// The route serving `method` on the path `segments`, and its {param}
// segment; null when none does (`path_known`: some route has the path).
const Route* Router::FindRoute(verb method, const std::vector<std::string_view>& segments,
                               std::string* param, bool* path_known) const {
  for (const Route& r : routes_) {
    std::string text;
    if (!Match(r.pattern, segments, &text)) continue;
    *path_known = true;
    // HEAD is GET without a body; Beast drops the body when writing.
    if (r.method == method || (method == verb::head && r.method == verb::get)) {
      *param = std::move(text);
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
    std::string unused;
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

boost::asio::awaitable<Reply> Router::Handle(Request& req, std::string_view remote) {
  auto started = std::chrono::steady_clock::now();
  RequestContext rc{req, {}, {}, {}, {}, {}};
  const Route* route = nullptr;
  bool path_known = false;
  Reply reply;

  std::vector<std::string_view> segments;
  if (DecodeTarget(req.target(), &rc) && Segments(rc.path, &segments))
    route = FindRoute(req.method(), segments, &rc.param, &path_known);

  if (!route) {
    reply = path_known ? rc.Error(ErrorCode::kInvalidArgument, "Method not allowed on this path.")
                       : rc.Error(ErrorCode::kNotFound, "Not found.");
    if (path_known) {
      reply.response.result(http::status::method_not_allowed);
      reply.response.set(http::field::allow, AllowedMethods(segments));
    }
  } else if (route->auth == Auth::kApiKey) {
    std::string_view key = BearerToken(req);
    if (!key.empty()) rc.user = checks_.api_key(key);
    if (!rc.user) {
      reply = rc.Error(ErrorCode::kUnauthorized, "Unauthorized");
      Challenge(&reply, kApiRealm, req.count(http::field::authorization) > 0);
    } else if (auto decision = checks_.limiter->Check(rc.user->id); !decision.allowed) {
      reply = rc.Error(ErrorCode::kRateLimited,
                       "Too many requests. Requests from this user are refused for " +
                           std::to_string(decision.retry_after_seconds) + " seconds.");
      reply.response.set(http::field::retry_after, std::to_string(decision.retry_after_seconds));
    } else {
      reply = co_await route->handle(rc);
    }
  } else if (route->auth == Auth::kNodeToken) {
    std::string_view token = BearerToken(req);
    if (!checks_.node_token(token)) {
      reply = rc.Error(ErrorCode::kUnauthorized, "Unauthorized");
      Challenge(&reply, kNodeRealm, req.count(http::field::authorization) > 0);
    } else {
      reply = co_await route->handle(rc);
    }
  } else {
    reply = co_await route->handle(rc);
  }

  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  latency_->Observe(seconds);
  Record(req.method(), route ? route->pattern : "unmatched", reply.response.result_int(), seconds,
         rc.user ? std::to_string(rc.user->id) : "", remote);
  co_return reply;
}

void Router::RecordRefused(const http::request_header<>& head, http::status status,
                           std::string_view remote) {
  // The route as the router would have chosen it, so a refused request is
  // counted under the same labels as a served one.
  std::string_view route_name = "unmatched";
  Request unused;
  RequestContext rc{unused, {}, {}, {}, {}, {}};
  std::vector<std::string_view> segments;
  bool path_known = false;
  if (DecodeTarget(head.target(), &rc) && Segments(rc.path, &segments)) {
    if (const Route* route = FindRoute(head.method(), segments, &rc.param, &path_known))
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
