#include "shortenworld/calls.h"

#include <boost/json/serialize.hpp>
#include <vector>

#include "http/paging.h"
#include "shortenworld/day_month_year.h"

namespace shortlink::admin::shortenworld {
namespace {

using boost::beast::http::verb;
using boost::json::object;

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

// RFC 3986 unreserved characters pass; every other byte is %XX.
std::string Encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A target built a parameter at a time.
class Target {
 public:
  explicit Target(std::string path) : target_(std::move(path)) {}
  Target& Add(std::string_view name, std::string_view value) {
    target_ += first_ ? '?' : '&';
    first_ = false;
    target_ += Encode(name);
    target_ += '=';
    target_ += Encode(value);
    return *this;
  }
  std::string str() const { return target_; }

 private:
  std::string target_;
  bool first_ = true;
};

std::string LinkPath(const LinkId& id, std::string_view suffix = {}) {
  Target t("/api/v1/urls/" + Encode(id.code) + std::string(suffix));
  if (!id.domain.empty()) t.Add("domain", id.domain);
  return t.str();
}

InnerCall Patch(const LinkId& id, const object& body) {
  return {verb::patch, LinkPath(id), boost::json::serialize(body), {}};
}

// Copies a string parameter into `body` under another name, when given.
Status CopyString(const Params& params, std::string_view from, object* body, std::string_view to) {
  auto value = params.String(from);
  if (!value.ok()) return value.error();
  if (*value) (*body)[to] = **value;
  return Status::Ok();
}

// utmSource ... utmContent as the link's utm object, when any is given.
Status CopyUtm(const Params& params, object* body) {
  static constexpr std::pair<std::string_view, std::string_view> kUtm[] = {
      {"utmSource", "source"},
      {"utmMedium", "medium"},
      {"utmCampaign", "campaign"},
      {"utmTerm", "term"},
      {"utmContent", "content"}};
  object utm;
  for (const auto& [from, to] : kUtm)
    if (Status s = CopyString(params, from, &utm, to); !s.ok()) return s;
  if (!utm.empty()) (*body)["utm"] = std::move(utm);
  return Status::Ok();
}

// Shorten World's clickType: 0 all clicks, 1 unique clicks.
Status CopyClickType(const Params& params, object* body) {
  auto type = params.Whole("clickType");
  if (!type.ok()) return type.error();
  if (!*type) return Status::Ok();
  if (**type != 0 && **type != 1)
    return Invalid("clickType must be 0 (all clicks) or 1 (unique clicks).");
  (*body)["clickType"] = **type == 1 ? "UNIQUE" : "ALL";
  return Status::Ok();
}

Result<std::string> TeamIdOf(const Params& params) {
  auto team = params.String("teamId");
  if (!team.ok()) return team.error();
  return team->value_or("");
}

// The domain a domainId names: "" for the default domain.
std::string DomainOf(std::string_view domain_id, const CallContext& context) {
  if (domain_id == "default" || domain_id == context.default_host) return "";
  return std::string(domain_id);
}

// domainIds (ids separated by commas) as GET /api/v1/urls's domain
// filter: "" (the default domain's links) for the default domain alone,
// "*" (every domain of the team) for none, else the domains with
// "default" for the default one.
std::string DomainFilterOf(std::string_view ids, const CallContext& context) {
  std::vector<std::string> domains;
  while (!ids.empty()) {
    size_t comma = ids.find(',');
    std::string_view id = ids.substr(0, comma);
    while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
    while (!id.empty() && id.back() == ' ') id.remove_suffix(1);
    if (!id.empty()) domains.push_back(DomainOf(id, context));
    if (comma == std::string_view::npos) break;
    ids.remove_prefix(comma + 1);
  }
  if (domains.empty()) return "*";
  std::string filter;
  for (const std::string& domain : domains) {
    if (!filter.empty()) filter += ',';
    filter += domain.empty() ? "default" : domain;
  }
  return domains.size() == 1 && domains.front().empty() ? std::string() : filter;
}

Result<InnerCall> ListCall(const Params& params, std::string path, bool with_team) {
  auto page = PageOf(params);
  if (!page.ok()) return page.error();
  InnerCall call{verb::get,
                 Target(std::move(path))
                     .Add("page", std::to_string(page->page))
                     .Add("size", std::to_string(page->size))
                     .str(),
                 {},
                 {}};
  if (with_team) {
    auto team = TeamIdOf(params);
    if (!team.ok()) return team.error();
    call.account = std::move(team).value();
  }
  return call;
}

}  // namespace

std::string FormatLinkId(std::string_view code, std::string_view domain) {
  if (domain.empty()) return std::string(code);
  return std::string(domain) + "/" + std::string(code);
}

Result<LinkId> LinkIdOf(const Params& params) {
  auto text = params.Required("linkId");
  if (!text.ok()) return text.error();
  return ParseLinkId(*text);
}

std::string LinkTarget(const LinkId& link) { return LinkPath(link); }

std::string PercentEncode(std::string_view text) { return Encode(text); }

Result<LinkId> ParseLinkId(std::string_view text) {
  LinkId id;
  size_t slash = text.rfind('/');
  if (slash == std::string_view::npos) {
    id.code = std::string(text);
  } else {
    id.domain = std::string(text.substr(0, slash));
    id.code = std::string(text.substr(slash + 1));
  }
  if (id.code.empty() || (slash != std::string::npos && id.domain.empty()))
    return Invalid("linkId must be a link's code, or <domain>/<code> for a custom domain's link.");
  return id;
}

Result<PageAsked> PageOf(const Params& params) {
  std::map<std::string, std::string> query;
  for (std::string_view name : {"page", "size"}) {
    auto value = params.String(name);
    if (!value.ok()) return value.error();
    if (*value) query[std::string(name)] = **value;
  }
  // http/paging.h checks them as every list route does (size 1-100).
  auto paging = ParsePaging(query);
  if (!paging.ok()) return paging.error();
  return PageAsked{paging->offset / paging->limit, paging->limit};
}

Result<InnerCall> TokenCall(const Params& params) {
  object body;
  for (std::string_view name : {"username", "key"})
    if (Status s = CopyString(params, name, &body, name); !s.ok()) return s.error();
  return InnerCall{verb::post, "/api/v1/auth/token", boost::json::serialize(body), {}};
}

Result<InnerCall> RefreshCall(const Params& params) {
  object body;
  if (Status s = CopyString(params, "refreshToken", &body, "refreshToken"); !s.ok())
    return s.error();
  return InnerCall{verb::post, "/api/v1/auth/refresh", boost::json::serialize(body), {}};
}

InnerCall RevokeCall() { return {verb::post, "/api/v1/auth/revoke", "{}", {}}; }

Result<InnerCall> TeamListCall(const Params& params) {
  return ListCall(params, "/api/v1/teams", /*with_team=*/false);
}

Result<InnerCall> CampaignListCall(const Params& params) {
  // The document: "if not specified it will return all campaigns of all
  // team you are managing". So the team is chosen by the route's teamId
  // (any team of the caller's, "*" for all), not by x-account-uuid (the
  // key's own team only).
  auto call = ListCall(params, "/api/v1/campaigns", /*with_team=*/false);
  if (!call.ok()) return call;
  auto team = TeamIdOf(params);
  if (!team.ok()) return team.error();
  call->target += "&teamId=" + Encode(team->empty() ? std::string_view("*") : *team);
  return call;
}

Result<InnerCall> DomainListCall(const Params& params) {
  return ListCall(params, "/api/v1/domains", /*with_team=*/true);
}

Result<InnerCall> LinkListCall(const Params& params, const CallContext& context) {
  auto page = PageOf(params);
  if (!page.ok()) return page.error();
  Target target("/api/v1/urls");
  target.Add("limit", std::to_string(page->size))
      .Add("offset", std::to_string(page->page * page->size));
  auto search = params.String("search");
  if (!search.ok()) return search.error();
  if (*search && !(*search)->empty()) target.Add("searchText", **search);
  auto hidden = params.Bool("hidden");
  if (!hidden.ok()) return hidden.error();
  if (*hidden) target.Add("hidden", **hidden ? "true" : "false");
  auto campaigns = params.String("campaignIds");
  if (!campaigns.ok()) return campaigns.error();
  if (*campaigns && !(*campaigns)->empty()) target.Add("campaignIds", **campaigns);
  auto domains = params.String("domainIds");
  if (!domains.ok()) return domains.error();
  if (std::string filter = DomainFilterOf(domains->value_or(""), context); !filter.empty())
    target.Add("domain", filter);
  auto team = TeamIdOf(params);
  if (!team.ok()) return team.error();
  return InnerCall{verb::get, target.str(), {}, std::move(team).value()};
}

Result<InnerCall> CreateCall(const Params& params, const CallContext& context) {
  auto team = params.Required("teamId");
  if (!team.ok()) return team.error();
  auto domain_id = params.Required("domainId");
  if (!domain_id.ok()) return domain_id.error();
  auto destination = params.Required("destination");
  if (!destination.ok()) return destination.error();
  if (auto no_title = params.Bool("noTitle"); !no_title.ok()) return no_title.error();
  object body;
  body["longUrl"] = *destination;
  if (std::string domain = DomainOf(*domain_id, context); !domain.empty()) body["domain"] = domain;
  if (Status s = CopyString(params, "campaignId", &body, "campaignId"); !s.ok()) return s.error();
  if (Status s = CopyUtm(params, &body); !s.ok()) return s.error();
  return InnerCall{verb::post, "/api/v1/urls", boost::json::serialize(body),
                   std::move(team).value()};
}

Result<InnerCall> UpdateCall(const Params& params) {
  auto id = LinkIdOf(params);
  if (!id.ok()) return id.error();
  auto code = params.String("code");
  if (!code.ok()) return code.error();
  // Codes are the links' keys everywhere (nodes, analytics, QR codes): a
  // code is not renamed in place. The same code is accepted as a no-op.
  if (*code && **code != id->code)
    return Invalid("code cannot be changed: create a link with the new code and delete this one.");
  object body;
  if (Status s = CopyString(params, "title", &body, "title"); !s.ok()) return s.error();
  // The document types tags as Boolean; its dashboard sends text. Taken as
  // an array of tags, or one string of tags separated by commas; the tags
  // given replace the link's.
  if (const boost::json::value* tags = params.Raw("tags")) {
    if (tags->is_array()) {
      body["tags"] = *tags;
    } else if (tags->is_string()) {
      boost::json::array list;
      std::string_view text = tags->as_string();
      while (!text.empty()) {
        size_t comma = text.find(',');
        std::string_view tag = text.substr(0, comma);
        while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        if (!tag.empty()) list.emplace_back(tag);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
      }
      body["tags"] = std::move(list);
    } else {
      return Invalid("tags must be a string of tags separated by commas, or an array of tags.");
    }
  }
  if (const boost::json::value* hide = params.Raw("hide")) {
    if (hide->is_string() && hide->as_string() == "on")
      body["hidden"] = true;
    else if (hide->is_string() && hide->as_string() == "off")
      body["hidden"] = false;
    else
      return Invalid("hide must be \"on\" or \"off\".");
  }
  return Patch(*id, body);
}

Result<InnerCall> DeleteCall(const Params& params) {
  auto id = LinkIdOf(params);
  if (!id.ok()) return id.error();
  return InnerCall{verb::delete_, LinkPath(*id), {}, {}};
}

Result<InnerCall> RedirectCall(const Params& params) {
  auto id = LinkIdOf(params);
  if (!id.ok()) return id.error();
  object body;
  if (Status s = CopyString(params, "destination", &body, "longUrl"); !s.ok()) return s.error();
  if (Status s = CopyClickType(params, &body); !s.ok()) return s.error();
  auto minutes = params.Whole("uniqueTime");
  if (!minutes.ok()) return minutes.error();
  if (*minutes) body["uniqueWindowMinutes"] = **minutes;
  if (Status s = CopyUtm(params, &body); !s.ok()) return s.error();
  return Patch(*id, body);
}

Result<InnerCall> MobileCall(const Params& params) {
  auto id = LinkIdOf(params);
  if (!id.ok()) return id.error();
  // Replaced whole: a platform left out no longer has a target of its own.
  object devices;
  for (std::string_view name : {"ios", "android", "windows", "mobile"})
    if (Status s = CopyString(params, name, &devices, name); !s.ok()) return s.error();
  object body;
  body["deviceTargets"] = std::move(devices);
  return Patch(*id, body);
}

Result<InnerCall> ExpirationCall(const Params& params) {
  auto id = LinkIdOf(params);
  if (!id.ok()) return id.error();
  object body;
  auto date = params.String("date");
  if (!date.ok()) return date.error();
  if (*date) {
    auto iso = DayMonthYearToIso(**date, "date");
    if (!iso.ok()) return iso.error();
    body["expiresAt"] = *iso;
  }
  if (Status s = CopyString(params, "destinationByDate", &body, "expiredUrl"); !s.ok())
    return s.error();
  auto clicks = params.Whole("click");
  if (!clicks.ok()) return clicks.error();
  if (*clicks) body["maxClicks"] = **clicks;
  if (Status s = CopyClickType(params, &body); !s.ok()) return s.error();
  if (Status s = CopyString(params, "destinationByClick", &body, "clickLimitUrl"); !s.ok())
    return s.error();
  return Patch(*id, body);
}

Result<InnerCall> PasswordCall(const Params& params) {
  auto id = LinkIdOf(params);
  if (!id.ok()) return id.error();
  auto password = params.String("password");
  if (!password.ok()) return password.error();
  // "" is passed on: it removes the password, as on PATCH /api/v1/urls.
  if (!*password) return Invalid("password is required (\"\" removes the link's password).");
  object body;
  body["password"] = **password;
  return Patch(*id, body);
}

Result<InnerCall> TestingCall(const Params& params) {
  auto id = LinkIdOf(params);
  if (!id.ok()) return id.error();
  const boost::json::value* testing = params.Raw("testing");
  if (!testing || !testing->is_array())
    return Invalid("testing is required: an array of {link, percentage} ([] removes the test).");
  boost::json::array targets;
  for (const boost::json::value& item : testing->as_array()) {
    if (!item.is_object()) return Invalid("Each testing entry must be {link, percentage}.");
    Params entry = Params::FromObject(item.as_object());
    auto link = entry.Required("link");
    if (!link.ok()) return Invalid("Each testing entry needs a link.");
    auto percentage = entry.Whole("percentage");
    if (!percentage.ok() || !*percentage)
      return Invalid("Each testing entry needs a percentage from 1 to 100.");
    targets.push_back(object{{"url", *link}, {"percentage", **percentage}});
  }
  object body;
  body["abTargets"] = std::move(targets);
  return Patch(*id, body);
}

Result<InnerCall> AnalyticsCall(const Params& params) {
  auto id = LinkIdOf(params);
  if (!id.ok()) return id.error();
  Target target("/api/v1/urls/" + Encode(id->code) + "/analytics/metrics");
  if (!id->domain.empty()) target.Add("domain", id->domain);
  // dd/MM/yyyy is read by the analytics route itself (analytics_params.h).
  for (std::string_view name : {"startTime", "endTime"}) {
    auto value = params.String(name);
    if (!value.ok()) return value.error();
    if (*value) target.Add(name, **value);
  }
  return InnerCall{verb::get, target.str(), {}, {}};
}

InnerCall TitleCall(const LinkId& link, std::string_view title) {
  return Patch(link, object{{"title", title}});
}

}  // namespace shortlink::admin::shortenworld
