// A router with every area's routes, as serve.cc registers them, over areas
// with no stores: for routing, refusing and the route table only; no
// request may reach a handler or look a key up.
#pragma once

#include <string>
#include <string_view>

#include "accounts/account_routes.h"
#include "analytics/analytics_routes.h"
#include "auth/authenticator.h"
#include "campaigns/campaign_routes.h"
#include "common/metrics.h"
#include "domains/domain_routes.h"
#include "http/router.h"
#include "links/link_routes.h"
#include "nodes/node_routes.h"
#include "ops/ops_routes.h"
#include "qr/qr_routes.h"
#include "shortenworld/shortenworld_routes.h"
#include "teams/team_routes.h"
#include "tokens/token_routes.h"
#include "trackers/tracker_routes.h"
#include "usage/usage_routes.h"
#include "webhooks/webhook_routes.h"

namespace shortlink::testing {

struct AllRoutes {
  AllRoutes() {
    admin::RegisterLinkRoutes(router, links);
    admin::RegisterDomainRoutes(router, links);
    admin::RegisterCampaignRoutes(router, campaigns);
    admin::RegisterAccountRoutes(router, accounts);
    admin::RegisterTeamRoutes(router, teams);
    admin::RegisterKeyRoutes(router, teams);
    admin::RegisterTokenRoutes(router, tokens);
    admin::RegisterNodeRoutes(router, nodes);
    admin::RegisterOpsRoutes(router, ops);
    admin::RegisterUsageRoutes(router, usage);
    admin::RegisterWebhookRoutes(router, webhooks);
    admin::RegisterAnalyticsRoutes(router, analytics);
    admin::RegisterQrRoutes(router, qr);
    admin::RegisterTrackerRoutes(router, trackers);
    // Through the router itself; no store, no TLS file: it cannot fail here.
    (void)admin::RegisterShortenWorldRoutes(router, {});
  }

  MetricsRegistry metrics;  // before the router, which takes its histogram at once
  std::string node_token = "node-token-0123456789abcdef";
  admin::LinkApi links;
  admin::CampaignApi campaigns{nullptr, &links};
  admin::AccountApi accounts;  // production: a test_v1_ key is refused before any lookup
  admin::TeamApi teams;        // the same
  admin::TokenApi tokens;      // the same
  admin::NodeApi nodes;
  admin::OpsApi ops;
  admin::UsageApi usage;       // no meter: nothing counted
  admin::WebhookApi webhooks;  // no subscriptions: no request reaches a handler
  admin::AnalyticsApi analytics{nullptr, &links};
  admin::QrApi qr{&links, ""};
  admin::TrackerApi trackers;  // no store: no request reaches a handler
  admin::auth::Authenticator authenticator{
      [this](std::string_view key, std::string_view account) {
        return admin::PrincipalOfKey(teams, key, account);
      },
      [this](std::string_view token) { return admin::IsNodeToken(node_token, token); }};
  admin::Router router{&metrics, &authenticator, nullptr};
};

}  // namespace shortlink::testing
