#include <boost/json.hpp>
#include <vector>

#include "auth/access.h"
#include "campaigns/campaign_input.h"
#include "campaigns/campaign_json.h"
#include "campaigns/campaign_routes.h"
#include "common/clock.h"
#include "http/json_input.h"
#include "links/async_submit.h"

namespace shortlink::admin {
namespace {

Error NoSuchCampaign(std::string_view segment) {
  // Not echoed unless it is an id: the segment is percent-decoded and may
  // hold any bytes, which would make the JSON of the error invalid.
  if (CampaignIdFromPath(segment))
    return MakeError(ErrorCode::kNotFound, "Campaign " + std::string(segment) + " does not exist.");
  return MakeError(ErrorCode::kNotFound, "Campaign does not exist.");
}

// A campaign as answered, with its team's id (LinkApi::team_id).
std::string CampaignJson(const CampaignApi& api, const Campaign& campaign) {
  std::string team_id = api.links->team_id ? api.links->team_id(campaign.team) : std::string();
  return boost::json::serialize(CampaignToJson(campaign, team_id));
}

// The campaign the path names, if it is the caller's team's; another
// team's is answered exactly as a missing one.
Result<Campaign> TeamCampaign(const CampaignApi& api, const RequestContext& rc) {
  std::optional<uint64_t> id = CampaignIdFromPath(rc.param);
  if (!id) return NoSuchCampaign(rc.param);
  std::optional<Campaign> campaign = api.campaigns->Get(rc.principal->team, *id);
  if (!campaign) return NoSuchCampaign(rc.param);
  return std::move(*campaign);
}

// The caller acting in each team the list reads: the key's own, or
// ?teamId=: one team of the caller's (404 like a missing one for any other)
// or "*", every team of the caller's where its role may list campaigns.
Result<std::vector<auth::Principal>> ListedTeams(const CampaignApi& api, const RequestContext& rc) {
  auto asked = rc.query.find("teamId");
  if (asked == rc.query.end()) {
    if (auto refused = auth::Refusal(*rc.principal, auth::Action::kListCampaigns)) return *refused;
    return std::vector<auth::Principal>{*rc.principal};
  }
  bool every = asked->second == "*";
  std::vector<CallerTeam> teams;
  if (api.teams_of) {
    teams = api.teams_of(rc.principal->user);
  } else if (api.links->team_id) {
    teams.push_back(
        {rc.principal->team, api.links->team_id(rc.principal->team), rc.principal->role});
  }
  std::vector<auth::Principal> callers;
  for (const CallerTeam& team : teams) {
    if (!every && team.uuid != asked->second) continue;
    auth::Principal caller = *rc.principal;
    caller.team = team.number;
    caller.role = team.role;
    if (auto refused = auth::Refusal(caller, auth::Action::kListCampaigns)) {
      if (!every) return *refused;
      continue;
    }
    callers.push_back(caller);
  }
  if (!every && callers.empty()) return MakeError(ErrorCode::kNotFound, "Team not found.");
  return callers;
}

Awaitable ListCampaigns(CampaignApi& api, RequestContext& rc) {
  auto callers = ListedTeams(api, rc);
  if (!callers.ok()) co_return rc.Error(callers.error());
  auto query = ParseCampaignListQuery(rc.query);
  if (!query.ok()) co_return rc.Error(query.error());
  // The teams' lists one after another, paged as one list.
  size_t total = 0;
  boost::json::array items;
  for (const auth::Principal& caller : *callers) {
    size_t skip = query->paging.offset > total ? query->paging.offset - total : 0;
    size_t count = 0;
    std::vector<Campaign> page = api.campaigns->List(caller.team, query->search, skip,
                                                     query->paging.limit - items.size(), &count);
    std::string team_id = api.links->team_id ? api.links->team_id(caller.team) : std::string();
    for (const Campaign& c : page) items.push_back(CampaignToJson(c, team_id));
    total += count;
  }
  co_return rc.Json(http::status::ok, query->paging.ListBody(std::move(items), total));
}

Awaitable CreateCampaign(CampaignApi& api, RequestContext& rc) {
  if (auto refused = auth::Refusal(*rc.principal, auth::Action::kManageCampaigns))
    co_return rc.Error(*refused);
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  auto name = ParseCampaignBody(*obj);
  if (!name.ok()) co_return rc.Error(name.error());
  auto created = api.campaigns->Create(rc.principal->team, std::move(name).value(), NowMillis());
  if (!created.ok()) co_return rc.Error(created.error());
  co_return rc.Json(http::status::created, CampaignJson(api, *created));
}

Awaitable GetCampaign(CampaignApi& api, RequestContext& rc) {
  if (auto refused = auth::Refusal(*rc.principal, auth::Action::kListCampaigns))
    co_return rc.Error(*refused);
  auto campaign = TeamCampaign(api, rc);
  if (!campaign.ok()) co_return rc.Error(campaign.error());
  co_return rc.Json(http::status::ok, CampaignJson(api, *campaign));
}

Awaitable UpdateCampaign(CampaignApi& api, RequestContext& rc) {
  if (auto refused = auth::Refusal(*rc.principal, auth::Action::kManageCampaigns))
    co_return rc.Error(*refused);
  // The path first: a campaign that is not the team's is 404 whatever the body.
  auto current = TeamCampaign(api, rc);
  if (!current.ok()) co_return rc.Error(current.error());
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  auto name = ParseCampaignBody(*obj);
  if (!name.ok()) co_return rc.Error(name.error());
  auto renamed =
      api.campaigns->Rename(rc.principal->team, current->id, std::move(name).value(), NowMillis());
  if (!renamed.ok()) co_return rc.Error(renamed.error());
  co_return rc.Json(http::status::ok, CampaignJson(api, *renamed));
}

// 409 while links name the campaign (campaigns.h says why and how the check
// stays exact while links are written).
Awaitable DeleteCampaign(CampaignApi& api, RequestContext& rc) {
  if (auto refused = auth::Refusal(*rc.principal, auth::Action::kManageCampaigns))
    co_return rc.Error(*refused);
  auto current = TeamCampaign(api, rc);
  if (!current.ok()) co_return rc.Error(current.error());
  auto closing = api.campaigns->BeginRemove(rc.principal->team, current->id);
  if (!closing.ok()) co_return rc.Error(closing.error());
  // An empty job: answered once every job queued before it is committed and
  // in the index. From here on the writer refuses the campaign.
  co_await AsyncSubmit(*api.links->links, std::vector<Mutation>());
  ListQuery naming;
  naming.owner = rc.principal->team;
  naming.domain = std::nullopt;  // every domain
  naming.include_hidden = true;
  naming.campaigns = {current->id};
  naming.limit = 1;
  size_t links = api.links->index->List(naming).count;
  if (links > 0) {
    api.campaigns->CancelRemove(current->id);
    std::string id = std::to_string(current->id);
    co_return rc.Error(ErrorCode::kStateConflict,
                       "Campaign " + id + " is still named by " + std::to_string(links) +
                           (links == 1 ? " link" : " links") +
                           ": clear their campaignId first (GET /api/v1/urls?campaignIds=" + id +
                           "&hidden=true lists them, with &domain= those on a custom domain).");
  }
  if (Status removed = api.campaigns->FinishRemove(current->id); !removed.ok()) {
    api.campaigns->CancelRemove(current->id);
    co_return rc.Error(removed.error());
  }
  co_return rc.Json(http::status::ok, CampaignJson(api, *closing));
}

}  // namespace

void RegisterCampaignRoutes(Router& router, CampaignApi& api) {
  using http::verb;
  router.Add({verb::get, "/api/v1/campaigns", Auth::kApiKey, Bind(api, ListCampaigns)});
  router.Add({verb::post, "/api/v1/campaigns", Auth::kApiKey, Bind(api, CreateCampaign)});
  router.Add({verb::get, "/api/v1/campaigns/{campaignId}", Auth::kApiKey, Bind(api, GetCampaign)});
  router.Add(
      {verb::patch, "/api/v1/campaigns/{campaignId}", Auth::kApiKey, Bind(api, UpdateCampaign)});
  router.Add(
      {verb::delete_, "/api/v1/campaigns/{campaignId}", Auth::kApiKey, Bind(api, DeleteCampaign)});
}

}  // namespace shortlink::admin
