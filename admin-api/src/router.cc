#include "router.h"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/url/parse.hpp>
#include <chrono>

#include "common/log.h"
#include "handlers.h"

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

const std::vector<Route>& Routes() {
  static const std::vector<Route> routes = {
      {verb::get, "/api/v1/urls", Auth::kApiKey, ListUrls},
      {verb::post, "/api/v1/urls", Auth::kApiKey, CreateUrl},
      {verb::post, "/api/v1/urls/bulk", Auth::kApiKey, BulkCreateUrls},
      {verb::get, "/api/v1/urls/{shortUrl}", Auth::kApiKey, GetUrl},
      {verb::patch, "/api/v1/urls/{shortUrl}", Auth::kApiKey, UpdateUrl},
      {verb::delete_, "/api/v1/urls/{shortUrl}", Auth::kApiKey, DeleteUrl},
      {verb::get, "/api/v1/keys", Auth::kApiKey, ListKeys},
      {verb::post, "/api/v1/keys", Auth::kApiKey, CreateKey},
      {verb::delete_, "/api/v1/keys/{id}", Auth::kApiKey, RevokeKey},
      {verb::post, "/api/v1/users", Auth::kApiKey, CreateUser},
      {verb::get, "/api/v1/openapi.yaml", Auth::kNone, OpenApi},
      {verb::get, "/internal/v1/changes", Auth::kNodeToken, NodeChanges},
      {verb::get, "/internal/v1/snapshot", Auth::kNodeToken, NodeSnapshot},
      {verb::get, "/internal/v1/clicks/watermark", Auth::kNodeToken, NodeClickWatermark},
      {verb::get, "/healthz", Auth::kNone, Healthz},
      {verb::get, "/metrics", Auth::kNone, Metrics},
  };
  return routes;
}

Router::Router(ApiContext* ctx)
    : ctx_(ctx),
      latency_(ctx->metrics->GetHistogram("admin_http_request_seconds",
                                          "Time from request read to reply ready.")) {}

boost::asio::awaitable<Reply> Router::Handle(Request& req, std::string_view remote) {
  auto started = std::chrono::steady_clock::now();
  RequestContext rc{req, {}, {}, {}, {}, {}};
  const Route* route = nullptr;
  bool path_known = false;
  Reply reply;

  std::vector<std::string_view> segments;
  if (DecodeTarget(req.target(), &rc) && Segments(rc.path, &segments)) {
    for (const Route& r : Routes()) {
      std::string param;
      if (!Match(r.pattern, segments, &param)) continue;
      path_known = true;
      // HEAD is GET without a body; Beast drops the body when writing.
      if (r.method == req.method() || (req.method() == verb::head && r.method == verb::get)) {
        route = &r;
        rc.param = std::move(param);
        break;
      }
    }
  }

  if (!route) {
    reply = path_known ? rc.Error(ErrorCode::kInvalidArgument, "Method not allowed on this path.")
                       : rc.Error(ErrorCode::kNotFound, "Not found.");
    if (path_known) reply.response.result(http::status::method_not_allowed);
  } else if (route->auth == Auth::kApiKey) {
    std::string_view key = BearerToken(req);
    // A key of the other environment is refused like a wrong one.
    if (!key.empty() && HasPrefixFor(key, ctx_->environment))
      rc.user = ctx_->accounts->Authenticate(key);
    if (!rc.user) {
      reply = rc.Error(ErrorCode::kUnauthorized, "Unauthorized");
    } else if (auto decision = ctx_->limiter->Check(rc.user->id); !decision.allowed) {
      reply = rc.Error(ErrorCode::kRateLimited,
                       "Too many requests. Requests from this user are refused for " +
                           std::to_string(decision.retry_after_seconds) + " seconds.");
      reply.response.set(http::field::retry_after, std::to_string(decision.retry_after_seconds));
    } else {
      reply = co_await route->handle(*ctx_, rc);
    }
  } else if (route->auth == Auth::kNodeToken) {
    std::string_view token = BearerToken(req);
    if (ctx_->node_token.empty() || !ConstantTimeEquals(token, ctx_->node_token)) {
      reply = rc.Error(ErrorCode::kUnauthorized, "Unauthorized");
    } else {
      reply = co_await route->handle(*ctx_, rc);
    }
  } else {
    reply = co_await route->handle(*ctx_, rc);
  }

  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string route_name = route ? std::string(route->pattern) : "unmatched";
  unsigned status = reply.response.result_int();
  ctx_->metrics
      ->GetCounter("admin_http_requests_total", "HTTP requests by route, method and status.",
                   "route=\"" + EscapeLabelValue(route_name) + "\",method=\"" +
                       std::string(http::to_string(req.method())) + "\",status=\"" +
                       std::to_string(status) + "\"")
      ->Add();
  latency_->Observe(seconds);
  if (route_name != "/healthz" && route_name != "/metrics") {
    LogInfo("request", {{"method", http::to_string(req.method())},
                        {"route", route_name},
                        {"status", std::to_string(status)},
                        {"ms", std::to_string(seconds * 1000)},
                        {"user", rc.user ? std::to_string(rc.user->id) : ""},
                        {"remote", remote}});
  }
  co_return reply;
}

}  // namespace shortlink::admin
