#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

#include "common/clock.h"
#include "http/json_input.h"
#include "http/paging.h"
#include "links/link_commands.h"
#include "links/link_json.h"
#include "links/link_queries.h"
#include "links/link_routes.h"
#include "links/link_rules_json.h"

namespace shortlink::admin {
namespace {

constexpr size_t kMaxListLimit = 1000;

// The keys of each body besides kLinkPatchFields (OnlyKnownFields).
constexpr std::string_view kCreateFields[] = {"longUrl", "shortUrl", "domain"};
constexpr std::string_view kUpdateFields[] = {"longUrl", "state"};
constexpr std::string_view kBulkFields[] = {"urls"};

// Shorten World's `campaignIds`: ids separated by commas, any of them.
constexpr size_t kMaxCampaignIds = 100;
Result<std::vector<uint64_t>> ParseCampaignIds(std::string_view text) {
  std::vector<uint64_t> ids;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    uint64_t id = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), id);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || id == 0 ||
        ids.size() == kMaxCampaignIds) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "campaignIds must be from 1 to " + std::to_string(kMaxCampaignIds) +
                           " campaign ids separated by commas, like 1,2,3.");
    }
    ids.push_back(id);
    if (comma == std::string_view::npos) return ids;
    text.remove_prefix(comma + 1);
  }
}

// The list's `domain` filter: a custom domain ("" is never a domain: the
// default one is named by leaving the parameter out, as the Go API lists);
// "*", every domain (none here); or several separated by commas, where
// "default" names the default domain (no domain name lacks a dot).
constexpr size_t kMaxDomainFilter = 100;
Result<std::vector<std::string>> ParseDomainFilter(std::string_view text) {
  std::vector<std::string> domains;
  if (text == "*") return domains;
  bool several = text.find(',') != std::string_view::npos;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (several && item == "default") {
      domains.emplace_back();
    } else {
      auto domain = NormalizeDomain(item);
      if (!domain.ok()) return domain.error();
      domains.push_back(std::move(domain).value());
    }
    if (domains.size() > kMaxDomainFilter)
      return MakeError(ErrorCode::kInvalidArgument, "domain may name at most " +
                                                        std::to_string(kMaxDomainFilter) +
                                                        " domains separated by commas.");
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  std::sort(domains.begin(), domains.end());
  domains.erase(std::unique(domains.begin(), domains.end()), domains.end());
  return domains;
}

// A create body or a bulk row as a NewLink: the keys and their types; the
// values are checked by ValidateNewLink (link_commands.h).
Result<NewLink> NewLinkFromJson(const simdjson::dom::object& obj, const UrlPolicy& policy) {
  Status known = OnlyKnownFields(obj, kCreateFields, kLinkPatchFields);
  if (!known.ok()) return known.error();
  auto long_url = OptionalString(obj, "longUrl");
  if (!long_url.ok()) return long_url.error();
  if (!*long_url) return MakeError(ErrorCode::kInvalidArgument, "longUrl is required.");
  auto short_url = OptionalString(obj, "shortUrl");
  if (!short_url.ok()) return short_url.error();
  auto domain = OptionalString(obj, "domain");
  if (!domain.ok()) return domain.error();
  auto fields = ParseLinkPatch(obj, policy);
  if (!fields.ok()) return fields.error();
  NewLink link;
  if (*domain) {
    auto normalized = NormalizeDomain(**domain);
    if (!normalized.ok()) return normalized.error();
    link.domain = std::move(normalized).value();
  }
  link.long_url = std::move(**long_url);
  if (*short_url) link.code = std::move(**short_url);
  link.fields = std::move(fields).value();
  return link;
}

// A PATCH body as a LinkChange; its values are checked by UpdateLinkAs.
Result<LinkChange> LinkChangeFromJson(const simdjson::dom::object& obj, const UrlPolicy& policy) {
  Status known = OnlyKnownFields(obj, kUpdateFields, kLinkPatchFields);
  if (!known.ok()) return known.error();
  LinkChange change;
  auto long_url = OptionalString(obj, "longUrl");
  if (!long_url.ok()) return long_url.error();
  if (*long_url) change.long_url = std::move(**long_url);
  auto state = OptionalString(obj, "state");
  if (!state.ok()) return state.error();
  if (*state) {
    LinkState parsed;
    if (!ParseLinkState(**state, &parsed))
      return MakeError(ErrorCode::kInvalidArgument, "state must be ACTIVE or INACTIVE.");
    change.state = parsed;
  }
  auto fields = ParseLinkPatch(obj, policy);
  if (!fields.ok()) return fields.error();
  change.fields = std::move(fields).value();
  return change;
}

}  // namespace

Result<ListQuery> ParseListQuery(const std::map<std::string, std::string>& query, uint64_t owner) {
  ListQuery q;
  q.owner = owner;
  for (const auto& [key, value] : query) {
    if (key == "limit") {
      auto v = ParseCount("limit", value, 1, kMaxListLimit);
      if (!v.ok()) return v.error();
      q.limit = *v;
    } else if (key == "offset") {
      auto v = ParseCount("offset", value, 0, 1'000'000'000);
      if (!v.ok()) return v.error();
      q.offset = *v;
    } else if (key == "searchText") {
      if (value.size() > kMaxUrlLength)
        return MakeError(ErrorCode::kInvalidArgument, "searchText is too long.");
      q.search_text = value;
    } else if (key == "state") {
      LinkState state;
      if (!ParseLinkState(value, &state)) {
        return MakeError(ErrorCode::kInvalidArgument, "state must be ACTIVE or INACTIVE.");
      }
      q.state = state;
    } else if (key == "orderBy") {
      if (value == "createdAt")
        q.order_by = OrderBy::kCreatedAt;
      else if (value == "clicks")
        q.order_by = OrderBy::kClicks;
      else
        return MakeError(ErrorCode::kInvalidArgument, "orderBy must be createdAt or clicks.");
    } else if (key == "sortDirection") {
      if (value == "asc")
        q.ascending = true;
      else if (value == "desc")
        q.ascending = false;
      else
        return MakeError(ErrorCode::kInvalidArgument, "sortDirection must be desc or asc.");
    } else if (key == "isFile") {
      if (value == "true")
        q.is_file = true;
      else if (value == "false")
        q.is_file = false;
      else
        return MakeError(ErrorCode::kInvalidArgument, "isFile must be true or false.");
    } else if (key == "hidden") {
      if (value == "true")
        q.include_hidden = true;
      else if (value == "false")
        q.include_hidden = false;
      else
        return MakeError(ErrorCode::kInvalidArgument, "hidden must be true or false.");
    } else if (key == "tag") {
      if (value.empty() || value.size() > kMaxTagBytes) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "tag must be from 1 to " + std::to_string(kMaxTagBytes) + " bytes.");
      }
      q.tag = value;
    } else if (key == "domain") {
      auto domains = ParseDomainFilter(value);
      if (!domains.ok()) return domains.error();
      q.domain = std::nullopt;
      if (domains->size() == 1)
        q.domain = std::move(domains->front());
      else if (domains->size() > 1)
        q.domains = std::move(domains).value();
    } else if (key == "campaignIds") {
      auto ids = ParseCampaignIds(value);
      if (!ids.ok()) return ids.error();
      q.campaigns = std::move(ids).value();
    }
    // Other parameters (cache busters, tracing) are ignored, as most APIs do.
  }
  return q;
}

Status ResolveLinkTrackers(const LinkApi& api, uint64_t team, LinkPatch* patch) {
  if (!patch->trackers) return Status::Ok();
  if (api.resolve_trackers) return api.resolve_trackers(team, patch);
  for (const PatchTracker& t : *patch->trackers)
    if (t.team_tracker != 0)
      return MakeError(ErrorCode::kInvalidArgument,
                       "teamTrackerId: this server keeps no team trackers.");
  return Status::Ok();
}

Result<CreateLink> ParseCreateLink(const simdjson::dom::object& obj, const UrlPolicy& policy,
                                   uint64_t owner, int64_t now_ms) {
  auto link = NewLinkFromJson(obj, policy);
  if (!link.ok()) return link.error();
  return ValidateNewLink(std::move(link).value(), owner, policy, now_ms);
}

namespace {

Awaitable ListUrls(LinkApi& api, RequestContext& rc) {
  auto query = ParseListQuery(rc.query, rc.principal->team);
  if (!query.ok()) co_return rc.Error(query.error());
  auto result = ListLinksAs(*api.index, *rc.principal, std::move(query).value());
  if (!result.ok()) co_return rc.Error(result.error());
  boost::json::array urls;
  urls.reserve(result->urls.size());
  for (const Link& link : result->urls) urls.push_back(LinkToJson(link));
  boost::json::object body;
  body["urls"] = std::move(urls);
  body["count"] = result->count;
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

Awaitable CreateUrl(LinkApi& api, RequestContext& rc) {
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  auto link = NewLinkFromJson(*obj, api.url_policy);
  if (!link.ok()) co_return rc.Error(link.error());
  if (Status s = ResolveLinkTrackers(api, rc.principal->team, &link->fields); !s.ok())
    co_return rc.Error(s.error());
  auto created = co_await CreateLinkAs(api, *rc.principal, std::move(link).value(), NowMillis());
  if (!created.ok()) co_return rc.Error(created.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(LinkToJson(*created)));
}

Awaitable BulkCreateUrls(LinkApi& api, RequestContext& rc) {
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  Status known = OnlyKnownFields(*obj, kBulkFields);
  if (!known.ok()) co_return rc.Error(known.error());
  simdjson::dom::array rows;
  if ((*obj)["urls"].get(rows)) {
    co_return rc.Error(ErrorCode::kInvalidArgument,
                       "Body must be {\"urls\": [{\"longUrl\": ..., \"shortUrl\": ...}, ...]}.");
  }
  if (rows.size() == 0 || rows.size() > kMaxBulkRows) {
    co_return rc.Error(ErrorCode::kInvalidArgument, "urls must hold from 1 to 1000 links.");
  }
  // Rows that are not a create's JSON are answered here; the command
  // answers the others.
  std::vector<std::optional<Error>> json_errors;
  std::vector<NewLink> links;
  for (simdjson::dom::element row : rows) {
    simdjson::dom::object row_obj;
    if (row.get(row_obj)) {
      json_errors.emplace_back(
          MakeError(ErrorCode::kInvalidArgument, "Each row must be an object."));
      continue;
    }
    auto link = NewLinkFromJson(row_obj, api.url_policy);
    if (!link.ok()) {
      json_errors.emplace_back(link.error());
      continue;
    }
    if (Status s = ResolveLinkTrackers(api, rc.principal->team, &link->fields); !s.ok()) {
      json_errors.emplace_back(s.error());
      continue;
    }
    json_errors.emplace_back(std::nullopt);
    links.push_back(std::move(link).value());
  }
  std::vector<Result<Link>> answers;
  if (!links.empty()) {
    auto done = co_await BulkCreateAs(api, *rc.principal, std::move(links), NowMillis());
    if (!done.ok()) co_return rc.Error(done.error());
    answers = std::move(done).value();
  }

  boost::json::array results;
  size_t created = 0, next_answer = 0;
  for (size_t i = 0; i < json_errors.size(); ++i) {
    boost::json::object r;
    r["index"] = i;
    std::optional<Error> error = json_errors[i];
    if (!error) {
      const Result<Link>& answer = answers[next_answer++];
      if (answer.ok()) {
        r["status"] = 200;
        r["url"] = LinkToJson(*answer);
        ++created;
      } else {
        error = answer.error();
      }
    }
    if (error) {
      r["status"] = static_cast<int>(StatusFor(error->code));
      r["message"] = error->message;
      if (error->code == ErrorCode::kConflict) r["type"] = "ShortUrlError";
    }
    results.push_back(std::move(r));
  }
  boost::json::object body;
  body["results"] = std::move(results);
  body["created"] = created;
  body["failed"] = json_errors.size() - created;
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

Awaitable GetUrl(LinkApi& api, RequestContext& rc) {
  auto domain = DomainFromQuery(rc.query);
  if (!domain.ok()) co_return rc.Error(domain.error());
  auto link = GetLinkAs(*api.index, *rc.principal, rc.param, *domain);
  if (!link.ok()) co_return rc.Error(link.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(LinkToJson(*link)));
}

Awaitable UpdateUrl(LinkApi& api, RequestContext& rc) {
  // The path is answered before the body: a link that cannot exist is 404
  // whatever the body says.
  auto code = CodeFromPath(rc.param);
  if (!code.ok()) co_return rc.Error(code.error());
  auto domain = DomainFromQuery(rc.query);
  if (!domain.ok()) co_return rc.Error(domain.error());
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  auto change = LinkChangeFromJson(*obj, api.url_policy);
  if (!change.ok()) co_return rc.Error(change.error());
  if (Status s = ResolveLinkTrackers(api, rc.principal->team, &change->fields); !s.ok())
    co_return rc.Error(s.error());
  auto updated = co_await UpdateLinkAs(api, *rc.principal, *code, std::move(change).value(),
                                       std::move(domain).value());
  if (!updated.ok()) co_return rc.Error(updated.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(LinkToJson(*updated)));
}

Awaitable DeleteUrl(LinkApi& api, RequestContext& rc) {
  auto domain = DomainFromQuery(rc.query);
  if (!domain.ok()) co_return rc.Error(domain.error());
  auto deleted = co_await DeleteLinkAs(api, *rc.principal, rc.param, std::move(domain).value());
  if (!deleted.ok()) co_return rc.Error(deleted.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(LinkToJson(*deleted)));
}

}  // namespace

void RegisterLinkRoutes(Router& router, LinkApi& api) {
  using http::verb;
  router.Add({verb::get, "/api/v1/urls", Auth::kApiKey, Bind(api, ListUrls)});
  router.Add({verb::post, "/api/v1/urls", Auth::kApiKey, Bind(api, CreateUrl)});
  router.Add({verb::post, "/api/v1/urls/bulk", Auth::kApiKey, Bind(api, BulkCreateUrls)});
  router.Add({verb::get, "/api/v1/urls/{shortUrl}", Auth::kApiKey, Bind(api, GetUrl)});
  router.Add({verb::patch, "/api/v1/urls/{shortUrl}", Auth::kApiKey, Bind(api, UpdateUrl)});
  router.Add({verb::delete_, "/api/v1/urls/{shortUrl}", Auth::kApiKey, Bind(api, DeleteUrl)});
}

}  // namespace shortlink::admin
