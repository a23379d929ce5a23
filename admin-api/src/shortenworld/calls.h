// Each Shorten World call as the /api/v1 request it stands for: the /v1
// surface holds no link, team or token logic of its own. A call's
// parameters (params.h) are renamed and reshaped into the body or query of
// the equivalent route, which the router then runs as if a client had sent
// it (handlers_shortenworld.cc), with its authentication, scopes, roles,
// rate limit, quota, validation and change path.
//
//   /v1 call                      /api/v1 request
//   POST authen/token             POST auth/token     {username, key}
//   POST authen/refresh-token     POST auth/refresh   {refreshToken}
//   POST authen/revoke-token      POST auth/revoke    (the Bearer access token)
//   GET  team/list                GET  teams          ?page&size
//   GET  campaign/list            GET  campaigns      ?page&size&teamId (absent: "*")
//   GET  domain/list              GET  domains        ?page&size
//   GET  link/list                GET  urls ?limit&offset&searchText&hidden&campaignIds&domain POST
//   link/create              POST urls           {longUrl, domain, campaignId, utm} PUT link/update
//   PATCH urls/{code}   {title, tags, hidden} DELETE link/delete            DELETE urls/{code} PUT
//   link/redirect            PATCH urls/{code}   {longUrl, clickType, uniqueWindowMinutes, utm} PUT
//   link/mobile              PATCH urls/{code}   {deviceTargets} PUT  link/expiration PATCH
//   urls/{code}   {expiresAt, expiredUrl, maxClicks, clickType, clickLimitUrl} PUT  link/password
//   PATCH urls/{code}   {password} PUT  link/testing             PATCH urls/{code}   {abTargets}
//   GET  link/analytics           GET  urls/{code}/analytics/metrics ?startTime&endTime
//
// teamId becomes x-account-uuid (a key acts in its own team: another
// team's id is refused); a linkId is the link's code, or "<domain>/<code>"
// off the default domain (?domain= on the /api/v1 side). The link list's
// domainIds become that list's domain filter: none, every domain of the
// team ("*"); several, each of them ("default" for the default domain).
//
// Thread safety: pure functions.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "shortenworld/params.h"

namespace shortlink::admin::shortenworld {

struct InnerCall {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target;   // path and query, percent-encoded: "/api/v1/urls?limit=20&offset=0"
  std::string body;     // JSON; empty for none
  std::string account;  // the teamId the call names, sent as x-account-uuid; empty: none
};

struct LinkId {
  std::string code;
  std::string domain;  // "" for the default domain
};
// "report", or "go.example.com/report" for a custom domain's link.
std::string FormatLinkId(std::string_view code, std::string_view domain);
// The linkId parameter, required; 400 when absent or not of that shape.
Result<LinkId> LinkIdOf(const Params& params);
// A linkId's text, of that shape.
Result<LinkId> ParseLinkId(std::string_view text);
// "/api/v1/urls/<code>", with ?domain= for a custom domain's link.
std::string LinkTarget(const LinkId& link);
// `text` with every byte but RFC 3986's unreserved characters as %XX.
std::string PercentEncode(std::string_view text);

// `default_host`: the host of --public-url. A domainId of "default", or
// that host, names the default domain; any other names a custom domain.
struct CallContext {
  std::string default_host;
};

Result<InnerCall> TokenCall(const Params& params);
Result<InnerCall> RefreshCall(const Params& params);
InnerCall RevokeCall();
Result<InnerCall> TeamListCall(const Params& params);
Result<InnerCall> CampaignListCall(const Params& params);
Result<InnerCall> DomainListCall(const Params& params);
Result<InnerCall> LinkListCall(const Params& params, const CallContext& context);
Result<InnerCall> CreateCall(const Params& params, const CallContext& context);
Result<InnerCall> UpdateCall(const Params& params);
Result<InnerCall> DeleteCall(const Params& params);
Result<InnerCall> RedirectCall(const Params& params);
Result<InnerCall> MobileCall(const Params& params);
Result<InnerCall> ExpirationCall(const Params& params);
Result<InnerCall> PasswordCall(const Params& params);
Result<InnerCall> TestingCall(const Params& params);
Result<InnerCall> AnalyticsCall(const Params& params);
// The PATCH that sets a created link's page title (create, unless noTitle).
InnerCall TitleCall(const LinkId& link, std::string_view title);

// The paging a list call asked for (page from 0, size 1-100, default 20),
// echoed in its answer.
struct PageAsked {
  size_t page = 0;
  size_t size = 20;
};
Result<PageAsked> PageOf(const Params& params);

}  // namespace shortlink::admin::shortenworld
