#include "auth/scopes.h"

#include <array>

namespace shortlink::admin::auth {
namespace {

constexpr std::array<std::string_view, kEndpointCount> kEndpointNames = {
    "urls",      "bulk",    "keys",      "users", "teams",
    "campaigns", "domains", "analytics", "usage", "webhooks"};
constexpr std::array<std::string_view, kMethodClassCount> kMethodNames = {"GET", "POST",
                                                                          "PUT/PATCH", "DELETE"};

}  // namespace

std::string_view EndpointName(Endpoint endpoint) {
  return kEndpointNames[static_cast<size_t>(endpoint)];
}

std::optional<Endpoint> ParseEndpoint(std::string_view name) {
  for (size_t i = 0; i < kEndpointNames.size(); ++i)
    if (kEndpointNames[i] == name) return static_cast<Endpoint>(i);
  return std::nullopt;
}

std::string_view MethodClassName(MethodClass method) {
  return kMethodNames[static_cast<size_t>(method)];
}

std::optional<MethodClass> MethodClassOf(boost::beast::http::verb method) {
  using boost::beast::http::verb;
  switch (method) {
    case verb::get:
    case verb::head:
      return MethodClass::kGet;
    case verb::post:
      return MethodClass::kPost;
    case verb::put:
    case verb::patch:
      return MethodClass::kPutPatch;
    case verb::delete_:
      return MethodClass::kDelete;
    default:
      return std::nullopt;
  }
}

std::optional<Endpoint> EndpointOfPattern(std::string_view pattern) {
  constexpr std::string_view kPrefix = "/api/v1/";
  if (!pattern.starts_with(kPrefix)) return std::nullopt;
  pattern.remove_prefix(kPrefix.size());
  std::string_view first = pattern.substr(0, pattern.find('/'));
  if (first == "urls") {
    if (pattern == "urls/bulk") return Endpoint::kBulk;
    if (pattern.ends_with("/analytics") || pattern.find("/analytics/") != std::string_view::npos)
      return Endpoint::kAnalytics;
  }
  return ParseEndpoint(first);
}

std::string MissingScopeMessage(Endpoint endpoint, MethodClass method) {
  std::string scope =
      std::string(EndpointName(endpoint)) + ":" + std::string(MethodClassName(method));
  return "This API key may not " + std::string(MethodClassName(method)) + " on " +
         std::string(EndpointName(endpoint)) + ": it lacks the " + scope + " scope.";
}

}  // namespace shortlink::admin::auth
