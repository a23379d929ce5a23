// The webhooks scope (auth/scopes.h): its routes are scoped by it, and keys
// that held every scope before it existed hold it too.
#include <catch2/catch.hpp>

#include "auth/access.h"
#include "auth/scopes.h"

namespace shortlink::admin {

using auth::Endpoint;
using auth::MethodClass;

TEST_CASE("the webhook routes belong to the webhooks scope", "[webhooks]") {
  CHECK(auth::EndpointOfPattern("/api/v1/webhooks") == Endpoint::kWebhooks);
  CHECK(auth::EndpointOfPattern("/api/v1/webhooks/{webhookId}/deliveries") == Endpoint::kWebhooks);
  CHECK(auth::EndpointName(Endpoint::kWebhooks) == "webhooks");
  CHECK(auth::ParseEndpoint("webhooks") == Endpoint::kWebhooks);
}

TEST_CASE("a full-scope key stored before webhooks gets the webhooks scope", "[webhooks]") {
  const uint64_t full_before = (uint64_t{1} << (auth::kEndpointsBeforeWebhooks * 4)) - 1;
  auth::Scopes upgraded = auth::Scopes::FromBits(full_before);
  CHECK(upgraded == auth::Scopes::All());
  CHECK(upgraded.Allows(Endpoint::kWebhooks, MethodClass::kPost));
  // A key made now with every scope but webhooks keeps its choice.
  auth::Scopes all_but = auth::Scopes::None();
  for (int e = 0; e < auth::kEndpointsBeforeWebhooks; ++e)
    for (int m = 0; m < auth::kMethodClassCount; ++m)
      all_but.Grant(static_cast<Endpoint>(e), static_cast<MethodClass>(m));
  CHECK_FALSE(
      auth::Scopes::FromBits(all_but.bits()).Allows(Endpoint::kWebhooks, MethodClass::kGet));
  CHECK(auth::Scopes::FromBits(all_but.bits()) == all_but);
  CHECK(auth::Scopes::FromBits(auth::Scopes::All().bits()) == auth::Scopes::All());
  // A key scoped narrower than everything is not widened.
  auth::Scopes narrow = auth::Scopes::FromBits(full_before & ~uint64_t{1});
  CHECK_FALSE(narrow.Allows(Endpoint::kWebhooks, MethodClass::kGet));
  CHECK_FALSE(narrow.Allows(Endpoint::kUrls, MethodClass::kGet));
}

TEST_CASE("managing webhooks takes a team admin", "[webhooks]") {
  CHECK(auth::LeastRole(auth::Action::kManageWebhooks) == auth::Role::kAdmin);
  auto member = auth::UserPrincipal(1, 1, auth::Role::kMember, auth::Scopes::All(), false);
  auto admin = auth::UserPrincipal(1, 1, auth::Role::kAdmin, auth::Scopes::All(), false);
  CHECK_FALSE(auth::Allow(member, auth::Action::kManageWebhooks));
  CHECK(auth::Allow(admin, auth::Action::kManageWebhooks));
}

}  // namespace shortlink::admin
