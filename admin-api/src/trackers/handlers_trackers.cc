#include <boost/json.hpp>
#include <charconv>

#include "auth/access.h"
#include "common/clock.h"
#include "http/json_input.h"
#include "http/paging.h"
#include "links/link_rules_json.h"
#include "teams/team_in_path.h"
#include "trackers/tracker_routes.h"

namespace shortlink::admin {
namespace {

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::optional<TeamInPath> FindTeam(const TrackerApi& api, const RequestContext& rc) {
  return FindTeamInPath(*api.teams, rc);
}

std::optional<uint64_t> TrackerIdFromPath(std::string_view segment) {
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), id);
  if (segment.empty() || ec != std::errc() || end != segment.data() + segment.size() || id == 0)
    return std::nullopt;
  return id;
}

boost::json::object TeamTrackerToJson(const TeamTracker& t) {
  boost::json::object o = TrackerToJson(t.tracker);
  o["id"] = t.id;
  o["name"] = t.name;
  o["createdAt"] = FormatIso8601Millis(t.created_at_ms);
  o["updatedAt"] = FormatIso8601Millis(t.updated_at_ms);
  return o;
}

// A create or PATCH body: provider and pixelId (together, checked against
// each other; for a PATCH, one alone is checked against the stored other),
// and name.
struct TrackerBody {
  std::optional<std::string> name;
  std::optional<std::string> provider, pixel_id;
};
Result<TrackerBody> ParseTrackerBody(std::string_view body) {
  auto obj = ParseJsonObject(body);
  if (!obj.ok()) return obj.error();
  constexpr std::string_view kFields[] = {"provider", "pixelId", "name"};
  if (Status s = OnlyKnownFields(*obj, kFields); !s.ok()) return s.error();
  TrackerBody b;
  for (auto [key, out] : {std::pair{"provider", &b.provider}, std::pair{"pixelId", &b.pixel_id},
                          std::pair{"name", &b.name}}) {
    auto v = OptionalString(*obj, key);
    if (!v.ok()) return v.error();
    *out = std::move(*v);
  }
  if (b.name && (b.name->size() > kMaxTrackerNameBytes ||
                 std::any_of(b.name->begin(), b.name->end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x20; })))
    return Invalid("name must be at most " + std::to_string(kMaxTrackerNameBytes) +
                   " bytes without control characters.");
  return b;
}

// `provider` and `pixel_id` as a checked tracker (the request's words).
Result<LinkTracker> CheckedTracker(std::string_view provider, std::string_view pixel_id) {
  boost::json::object o{{"provider", provider}, {"pixelId", pixel_id}};
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(boost::json::serialize(o)).get(element))
    return Invalid("provider and pixelId must be text.");
  auto t = ParseTrackerObject(element, "tracker");
  if (!t.ok()) return t.error();
  return t->tracker;
}

Awaitable ListProviders(TrackerApi&, RequestContext& rc) {
  boost::json::array items;
  for (TrackerProvider p : kTrackerProviders) {
    items.push_back({{"id", TrackerProviderName(p)},
                     {"idLabel", TrackerIdLabel(p)},
                     {"example", TrackerIdExample(p)}});
  }
  co_return rc.Json(http::status::ok,
                    boost::json::serialize(boost::json::object{{"providers", std::move(items)}}));
}

Awaitable ListTrackers(TrackerApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  if (auto refused = RefuseRole(rc, found->caller, auth::Action::kReadTeam)) co_return *refused;
  auto paging = ParsePaging(rc.query);
  if (!paging.ok()) co_return rc.Error(paging.error());
  std::vector<TeamTracker> all = api.trackers->List(found->team.number);
  boost::json::array items;
  for (size_t i = paging->offset; i < all.size() && items.size() < paging->limit; ++i)
    items.push_back(TeamTrackerToJson(all[i]));
  boost::json::object body;
  body["items"] = std::move(items);
  body["consent"] = TrackerConsentName(api.trackers->Consent(found->team.number));
  paging->Describe(all.size(), &body);
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

Awaitable CreateTracker(TrackerApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  if (auto refused = RefuseRole(rc, found->caller, auth::Action::kManageCampaigns))
    co_return *refused;
  auto body = ParseTrackerBody(rc.req.body());
  if (!body.ok()) co_return rc.Error(body.error());
  if (!body->provider || !body->pixel_id)
    co_return rc.Error(Invalid("provider and pixelId are required."));
  auto tracker = CheckedTracker(*body->provider, *body->pixel_id);
  if (!tracker.ok()) co_return rc.Error(tracker.error());
  auto created = api.trackers->Create(found->team.number, body->name.value_or(""),
                                      std::move(tracker).value(), NowMillis());
  if (!created.ok()) co_return rc.Error(created.error());
  co_return rc.Json(http::status::created, boost::json::serialize(TeamTrackerToJson(*created)));
}

Result<TeamTracker> TrackerInPath(const TrackerApi& api, const RequestContext& rc, uint64_t team) {
  std::optional<uint64_t> id = TrackerIdFromPath(rc.params.at(1));
  std::optional<TeamTracker> t = id ? api.trackers->Get(team, *id) : std::nullopt;
  if (!t) return MakeError(ErrorCode::kNotFound, "Tracker not found.");
  return std::move(*t);
}

Awaitable GetTracker(TrackerApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  if (auto refused = RefuseRole(rc, found->caller, auth::Action::kReadTeam)) co_return *refused;
  auto t = TrackerInPath(api, rc, found->team.number);
  if (!t.ok()) co_return rc.Error(t.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(TeamTrackerToJson(*t)));
}

Awaitable UpdateTracker(TrackerApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  if (auto refused = RefuseRole(rc, found->caller, auth::Action::kManageCampaigns))
    co_return *refused;
  auto current = TrackerInPath(api, rc, found->team.number);
  if (!current.ok()) co_return rc.Error(current.error());
  auto body = ParseTrackerBody(rc.req.body());
  if (!body.ok()) co_return rc.Error(body.error());
  std::optional<LinkTracker> tracker;
  if (body->provider || body->pixel_id) {
    auto checked = CheckedTracker(
        body->provider.value_or(std::string(TrackerProviderName(current->tracker.provider))),
        body->pixel_id.value_or(current->tracker.pixel_id));
    if (!checked.ok()) co_return rc.Error(checked.error());
    tracker = std::move(checked).value();
  }
  auto updated = api.trackers->Update(found->team.number, current->id, std::move(body->name),
                                      std::move(tracker), NowMillis());
  if (!updated.ok()) co_return rc.Error(updated.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(TeamTrackerToJson(*updated)));
}

Awaitable DeleteTracker(TrackerApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  if (auto refused = RefuseRole(rc, found->caller, auth::Action::kManageCampaigns))
    co_return *refused;
  auto current = TrackerInPath(api, rc, found->team.number);
  if (!current.ok()) co_return rc.Error(current.error());
  auto removed = api.trackers->Remove(found->team.number, current->id);
  if (!removed.ok()) co_return rc.Error(removed.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(TeamTrackerToJson(*removed)));
}

std::string ConsentJson(TrackerConsent consent) {
  return boost::json::serialize(boost::json::object{{"consent", TrackerConsentName(consent)}});
}

Awaitable GetConsent(TrackerApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  if (auto refused = RefuseRole(rc, found->caller, auth::Action::kReadTeam)) co_return *refused;
  co_return rc.Json(http::status::ok, ConsentJson(api.trackers->Consent(found->team.number)));
}

Awaitable SetConsent(TrackerApi& api, RequestContext& rc) {
  auto found = FindTeam(api, rc);
  if (!found) co_return TeamNotFound(rc);
  if (auto refused = RefuseRole(rc, found->caller, auth::Action::kRenameTeam)) co_return *refused;
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  constexpr std::string_view kFields[] = {"consent"};
  if (Status s = OnlyKnownFields(*obj, kFields); !s.ok()) co_return rc.Error(s.error());
  auto text = OptionalString(*obj, "consent");
  if (!text.ok()) co_return rc.Error(text.error());
  TrackerConsent consent;
  if (!*text || !ParseTrackerConsent(**text, &consent))
    co_return rc.Error(Invalid("consent must be none, eu or always."));
  if (Status s = api.trackers->SetConsent(found->team.number, consent); !s.ok())
    co_return rc.Error(s.error());
  // Onto the links that carry the team's trackers (tracker_routes.h).
  size_t updated = 0;
  if (api.links && api.links->index) {
    std::vector<std::pair<std::string, std::string>> stale;  // (domain, code)
    ListQuery query;
    query.owner = found->team.number;
    query.domain = std::nullopt;
    query.include_hidden = true;
    for (size_t count = 1; query.offset < count; query.offset += query.limit) {
      ListResult page = api.links->index->List(query);
      count = page.count;
      for (const Link& l : page.urls)
        if (!l.rules.trackers.empty() && l.rules.tracker_consent != consent)
          stale.emplace_back(l.domain, l.code);
    }
    for (auto& [domain, code] : stale) {
      LinkChange change;
      change.fields.tracker_consent = consent;
      auto done = co_await UpdateLinkAs(*api.links, found->caller, code, std::move(change), domain);
      if (!done.ok() && done.error().code != ErrorCode::kNotFound) co_return rc.Error(done.error());
      updated += done.ok();
    }
  }
  co_return rc.Json(http::status::ok,
                    boost::json::serialize(boost::json::object{
                        {"consent", TrackerConsentName(consent)}, {"linksUpdated", updated}}));
}

}  // namespace

Status ResolveTeamTrackers(const TeamTrackers& trackers, uint64_t team, LinkPatch* patch) {
  if (!patch->trackers) return Status::Ok();
  for (size_t i = 0; i < patch->trackers->size(); ++i) {
    PatchTracker& t = (*patch->trackers)[i];
    if (t.team_tracker == 0) continue;
    std::optional<TeamTracker> found = trackers.Get(team, t.team_tracker);
    if (!found)
      return Invalid("trackers[" + std::to_string(i) + "].teamTrackerId " +
                     std::to_string(t.team_tracker) + " is not one of your team's trackers.");
    t.tracker = found->tracker;
    t.team_tracker = 0;
  }
  patch->tracker_consent = trackers.Consent(team);
  return Status::Ok();
}

void RegisterTrackerRoutes(Router& router, TrackerApi& api) {
  using http::verb;
  TrackerApi& a = api;
  router.Add({verb::get, "/api/v1/trackers/providers", Auth::kApiKey, Bind(a, ListProviders)});
  router.Add({verb::get, "/api/v1/teams/{teamId}/trackers", Auth::kApiKey, Bind(a, ListTrackers)});
  router.Add(
      {verb::post, "/api/v1/teams/{teamId}/trackers", Auth::kApiKey, Bind(a, CreateTracker)});
  router.Add({verb::get, "/api/v1/teams/{teamId}/trackers/{trackerId}", Auth::kApiKey,
              Bind(a, GetTracker)});
  router.Add({verb::patch, "/api/v1/teams/{teamId}/trackers/{trackerId}", Auth::kApiKey,
              Bind(a, UpdateTracker)});
  router.Add({verb::delete_, "/api/v1/teams/{teamId}/trackers/{trackerId}", Auth::kApiKey,
              Bind(a, DeleteTracker)});
  router.Add(
      {verb::get, "/api/v1/teams/{teamId}/tracker-consent", Auth::kApiKey, Bind(a, GetConsent)});
  router.Add(
      {verb::put, "/api/v1/teams/{teamId}/tracker-consent", Auth::kApiKey, Bind(a, SetConsent)});
}

Result<std::unique_ptr<TrackerApi>> StartTrackers(Router& router, Database* db, Teams* teams,
                                                  LinkApi& links) {
  auto store = TeamTrackers::Load(db);
  if (!store.ok()) return store.error();
  auto api = std::make_unique<TrackerApi>();
  api->trackers = std::move(store).value();
  api->teams = teams;
  api->links = &links;
  links.resolve_trackers = [t = api->trackers.get()](uint64_t team, LinkPatch* patch) {
    return ResolveTeamTrackers(*t, team, patch);
  };
  RegisterTrackerRoutes(router, *api);
  return api;
}

}  // namespace shortlink::admin
