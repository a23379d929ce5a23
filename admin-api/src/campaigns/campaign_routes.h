// The /api/v1/campaigns routes: a team's campaigns (issue 19, Shorten
// World's campaigns). A viewer reads them, a member creates, renames and
// deletes them; another team's campaign answers 404 exactly like a missing
// one. Links name a campaign through /api/v1/urls ("campaignId", checked by
// the link writer against `campaigns`) and are listed by campaign with
// GET /api/v1/urls?campaignIds=1,2.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "campaigns/campaigns.h"
#include "http/router.h"
#include "links/link_commands.h"

namespace shortlink::admin {

// A team the caller belongs to, and the caller's role there (teams/).
struct CallerTeam {
  uint64_t number = 0;
  std::string uuid;
  auth::Role role = auth::Role::kViewer;
};

// What the campaign routes reach; the pointers outlive the router.
struct CampaignApi {
  Campaigns* campaigns = nullptr;
  // The link writer (a delete waits for its queued commits) and index (a
  // delete looks for links that still name the campaign).
  LinkApi* links = nullptr;
  // The teams a user belongs to, for GET /api/v1/campaigns?teamId= (another
  // team of the caller's, or "*" for all of them, as Shorten World's
  // campaign list reads every team you manage); unset: the key's own only.
  std::function<std::vector<CallerTeam>(uint64_t user)> teams_of;
};

// Adds the /api/v1/campaigns routes (API key) to `router`; `api` outlives it.
void RegisterCampaignRoutes(Router& router, CampaignApi& api);

}  // namespace shortlink::admin
