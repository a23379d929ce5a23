#include <boost/json.hpp>
#include <vector>

#include "auth/access.h"
#include "domains/domain_input.h"
#include "domains/domain_json.h"
#include "domains/domain_routes.h"
#include "http/json_input.h"
#include "http/paging.h"
#include "links/async_submit.h"

namespace shortlink::admin {
namespace {

Error NoSuchDomain(std::string_view host) {
  return MakeError(ErrorCode::kNotFound, "Domain \"" + std::string(host) + "\" does not exist.");
}

// The answer to a principal the access check refuses: a role too low in
// its own team is told so (403); anything else finds no such route (404).
Reply Refused(const RequestContext& rc, auth::Action action) {
  if (rc.principal->is_user() && auth::Allow(*rc.principal, auth::Action::kListDomains))
    return rc.Error(ErrorCode::kForbidden, auth::RoleTooLow(*rc.principal, action));
  return rc.Error(ErrorCode::kNotFound, "Not found.");
}

// The domain the path names, if it is the caller's team's; another team's
// is answered exactly as a missing one.
std::string TeamId(const LinkApi& api, uint64_t team) {
  return api.team_id ? api.team_id(team) : std::string();
}

Result<DomainRecord> TeamDomain(const LinkApi& api, const RequestContext& rc) {
  auto host = NormalizeDomainHost(rc.param, api.url_policy);
  // Not echoed: the segment is percent-decoded and may hold any bytes,
  // which would make the JSON of the error invalid.
  if (!host.ok()) return MakeError(ErrorCode::kNotFound, "Domain does not exist.");
  std::optional<DomainRecord> domain = api.links->domains().Get(*host);
  if (!domain || domain->team != rc.principal->team) return NoSuchDomain(*host);
  return std::move(*domain);
}

boost::asio::awaitable<Result<DomainRecord>> SubmitDomain(LinkApi& api, Mutation mutation) {
  std::vector<Mutation> mutations;
  mutations.push_back(std::move(mutation));
  auto results = co_await AsyncSubmit(*api.links, std::move(mutations));
  if (!results[0].status.ok()) co_return results[0].status.error();
  co_return std::move(results[0].domain);
}

Awaitable ListDomains(LinkApi& api, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kListDomains))
    co_return Refused(rc, auth::Action::kListDomains);
  auto page = ParsePaging(rc.query);  // page/size, or limit/offset
  if (!page.ok()) co_return rc.Error(page.error());
  size_t total = 0;
  std::vector<DomainRecord> domains =
      api.links->domains().ListTeam(rc.principal->team, page->offset, page->limit, &total);
  boost::json::array items;
  for (const DomainRecord& d : domains) items.push_back(DomainToJson(d, TeamId(api, d.team)));
  co_return rc.Json(http::status::ok, page->ListBody(std::move(items), total));
}

Awaitable CreateDomain(LinkApi& api, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kManageDomains))
    co_return Refused(rc, auth::Action::kManageDomains);
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  auto fields = ParseDomainBody(*obj, api.url_policy, /*create=*/true);
  if (!fields.ok()) co_return rc.Error(fields.error());
  PutDomain put;
  put.create = true;
  put.domain.host = std::move(*fields->host);
  put.domain.team = rc.principal->team;
  put.domain.root_redirect = fields->root_redirect.value_or("");
  put.domain.not_found_url = fields->not_found_url.value_or("");
  auto created = co_await SubmitDomain(api, std::move(put));
  if (!created.ok()) co_return rc.Error(created.error());
  co_return rc.Json(http::status::created,
                    boost::json::serialize(DomainToJson(*created, TeamId(api, created->team))));
}

Awaitable GetDomain(LinkApi& api, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kListDomains))
    co_return Refused(rc, auth::Action::kListDomains);
  auto domain = TeamDomain(api, rc);
  if (!domain.ok()) co_return rc.Error(domain.error());
  co_return rc.Json(http::status::ok,
                    boost::json::serialize(DomainToJson(*domain, TeamId(api, domain->team))));
}

Awaitable UpdateDomain(LinkApi& api, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kManageDomains))
    co_return Refused(rc, auth::Action::kManageDomains);
  // The path first: a domain that is not the team's is 404 whatever the body.
  auto current = TeamDomain(api, rc);
  if (!current.ok()) co_return rc.Error(current.error());
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  auto fields = ParseDomainBody(*obj, api.url_policy, /*create=*/false);
  if (!fields.ok()) co_return rc.Error(fields.error());
  PutDomain put;
  put.domain = std::move(current).value();
  if (fields->root_redirect) put.domain.root_redirect = std::move(*fields->root_redirect);
  if (fields->not_found_url) put.domain.not_found_url = std::move(*fields->not_found_url);
  auto updated = co_await SubmitDomain(api, std::move(put));
  if (!updated.ok()) co_return rc.Error(updated.error());
  co_return rc.Json(http::status::ok,
                    boost::json::serialize(DomainToJson(*updated, TeamId(api, updated->team))));
}

Awaitable DeleteDomain(LinkApi& api, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kManageDomains))
    co_return Refused(rc, auth::Action::kManageDomains);
  auto current = TeamDomain(api, rc);
  if (!current.ok()) co_return rc.Error(current.error());
  RemoveDomain remove;
  remove.host = current->host;
  remove.team = rc.principal->team;
  auto removed = co_await SubmitDomain(api, std::move(remove));
  if (!removed.ok()) co_return rc.Error(removed.error());
  co_return rc.Json(http::status::ok,
                    boost::json::serialize(DomainToJson(*removed, TeamId(api, removed->team))));
}

}  // namespace

void RegisterDomainRoutes(Router& router, LinkApi& api) {
  using http::verb;
  router.Add({verb::get, "/api/v1/domains", Auth::kApiKey, Bind(api, ListDomains)});
  router.Add({verb::post, "/api/v1/domains", Auth::kApiKey, Bind(api, CreateDomain)});
  router.Add({verb::get, "/api/v1/domains/{host}", Auth::kApiKey, Bind(api, GetDomain)});
  router.Add({verb::patch, "/api/v1/domains/{host}", Auth::kApiKey, Bind(api, UpdateDomain)});
  router.Add({verb::delete_, "/api/v1/domains/{host}", Auth::kApiKey, Bind(api, DeleteDomain)});
}

}  // namespace shortlink::admin
