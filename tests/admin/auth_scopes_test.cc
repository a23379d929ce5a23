// Scopes (auth/scopes.h): a key is enabled per endpoint AND per method, and
// a route's endpoint is read from its pattern.
#include "auth/scopes.h"

#include <catch2/catch.hpp>

namespace shortlink::admin {
namespace {

using auth::Endpoint;
using auth::MethodClass;

}  // namespace

TEST_CASE("a route's endpoint is the segment after /api/v1/", "[auth]") {
  CHECK(auth::EndpointOfPattern("/api/v1/urls") == Endpoint::kUrls);
  CHECK(auth::EndpointOfPattern("/api/v1/urls/{shortUrl}") == Endpoint::kUrls);
  CHECK(auth::EndpointOfPattern("/api/v1/urls/bulk") == Endpoint::kBulk);
  CHECK(auth::EndpointOfPattern("/api/v1/urls/{shortUrl}/analytics") == Endpoint::kAnalytics);
  CHECK(auth::EndpointOfPattern("/api/v1/keys/{id}") == Endpoint::kKeys);
  CHECK(auth::EndpointOfPattern("/api/v1/teams/{teamId}/members/{userId}") == Endpoint::kTeams);
  CHECK(auth::EndpointOfPattern("/api/v1/domains") == Endpoint::kDomains);
  CHECK(auth::EndpointOfPattern("/api/v1/usage") == Endpoint::kUsage);
  CHECK_FALSE(auth::EndpointOfPattern("/internal/v1/changes"));
  CHECK_FALSE(auth::EndpointOfPattern("/healthz"));
  CHECK_FALSE(auth::EndpointOfPattern("/api/v1/openapi.yaml"));
}

TEST_CASE("PUT and PATCH are one method class, HEAD is GET", "[auth]") {
  using boost::beast::http::verb;
  CHECK(auth::MethodClassOf(verb::get) == MethodClass::kGet);
  CHECK(auth::MethodClassOf(verb::head) == MethodClass::kGet);
  CHECK(auth::MethodClassOf(verb::put) == MethodClass::kPutPatch);
  CHECK(auth::MethodClassOf(verb::patch) == MethodClass::kPutPatch);
  CHECK(auth::MethodClassOf(verb::delete_) == MethodClass::kDelete);
  CHECK_FALSE(auth::MethodClassOf(verb::options));
}

TEST_CASE("a scope grants one endpoint and one method, nothing beside it", "[auth]") {
  auth::Scopes s = auth::Scopes::None();
  s.Grant(Endpoint::kUrls, MethodClass::kGet);
  for (int e = 0; e < auth::kEndpointCount; ++e) {
    for (int m = 0; m < auth::kMethodClassCount; ++m) {
      bool granted =
          e == static_cast<int>(Endpoint::kUrls) && m == static_cast<int>(MethodClass::kGet);
      CHECK(s.Allows(static_cast<Endpoint>(e), static_cast<MethodClass>(m)) == granted);
      CHECK(auth::Scopes::All().Allows(static_cast<Endpoint>(e), static_cast<MethodClass>(m)));
    }
  }
  // Bits beyond the known scopes (a later release's) are dropped on read.
  CHECK(auth::Scopes::FromBits(~uint64_t{0}) == auth::Scopes::All());
}

TEST_CASE("a missing scope is named in the refusal", "[auth]") {
  std::string m = auth::MissingScopeMessage(Endpoint::kTeams, MethodClass::kPost);
  CHECK(m.find("teams:POST") != std::string::npos);
}

}  // namespace shortlink::admin
