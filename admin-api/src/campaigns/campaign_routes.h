// The /api/v1/campaigns routes: a team's campaigns (issue 19, Shorten
// World's campaigns). A viewer reads them, a member creates, renames and
// deletes them; another team's campaign answers 404 exactly like a missing
// one. Links name a campaign through /api/v1/urls ("campaignId", checked by
// the link writer against `campaigns`) and are listed by campaign with
// GET /api/v1/urls?campaignIds=1,2.
#pragma once

#include "campaigns/campaigns.h"
#include "http/router.h"
#include "links/link_commands.h"

namespace shortlink::admin {

// What the campaign routes reach; the pointers outlive the router.
struct CampaignApi {
  Campaigns* campaigns = nullptr;
  // The link writer (a delete waits for its queued commits) and index (a
  // delete looks for links that still name the campaign).
  LinkApi* links = nullptr;
};

// Adds the /api/v1/campaigns routes (API key) to `router`; `api` outlives it.
void RegisterCampaignRoutes(Router& router, CampaignApi& api);

}  // namespace shortlink::admin
