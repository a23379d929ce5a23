#include <boost/asio/ssl/context.hpp>
#include <boost/json.hpp>
#include <functional>
#include <memory>

#include "common/clock.h"
#include "common/options.h"
#include "common/validation.h"
#include "shortenworld/answers.h"
#include "shortenworld/calls.h"
#include "shortenworld/shortenworld_routes.h"
#include "shortenworld/title_fetch.h"
#include "shortenworld/tracker_calls.h"
#include "webhooks/http_sender.h"

namespace shortlink::admin {
namespace {

using namespace shortenworld;
using boost::json::object;

struct Api {
  Api(Router* r, ShortenWorldOptions o)
      : router(r), options(std::move(o)), tls(webhooks::MakeWebhookTlsContext()) {
    context.default_host = HostOf(options.public_url);
    title_limits.allow_private = options.title_fetch_allow_private;
  }

  // The options that can be wrong: the CA file and the connect-to address.
  Status Configure() {
    if (!options.title_fetch_ca.empty()) {
      boost::system::error_code ec;
      tls.load_verify_file(options.title_fetch_ca, ec);
      if (ec)
        return MakeError(ErrorCode::kInvalidArgument,
                         "--title-fetch-ca: " + options.title_fetch_ca + ": " + ec.message());
    }
    if (!options.title_fetch_connect_to.empty()) {
      unsigned short port = 0;
      Status s = ParseHostPort(options.title_fetch_connect_to, &title_limits.connect_host, &port,
                               /*allow_zero=*/false);
      if (!s.ok())
        return MakeError(s.error().code, "--title-fetch-connect-to: " + s.error().message);
      title_limits.connect_port = std::to_string(port);
    }
    return Status::Ok();
  }

  Router* router;
  ShortenWorldOptions options;
  CallContext context;
  boost::asio::ssl::context tls;  // for titles of https:// pages
  TitleFetchLimits title_limits;
};

// What a call's data is made of the route's JSON answer.
using Shape = std::function<object(const object& inner)>;

Reply Refuse(const RequestContext& rc, http::status status, std::string_view message) {
  object body;
  body["status"] = StatusObject(static_cast<int>(status), message, NowMillis());
  return rc.Json(status, boost::json::serialize(body));
}

Reply Refuse(const RequestContext& rc, const Error& error) {
  return Refuse(rc, StatusFor(error.code), error.message);
}

// Runs `call` through the router as a request of its own, with the
// caller's credential headers.
boost::asio::awaitable<Reply> Forward(Api& api, const RequestContext& rc, const InnerCall& call) {
  Request inner{call.method, call.target, rc.version()};
  for (std::string_view name : {"authorization", "x-api-key", "x-account-uuid"})
    if (auto it = rc.req.find(name); it != rc.req.end()) inner.set(name, it->value());
  if (!call.account.empty()) inner.set("x-account-uuid", call.account);
  if (!call.body.empty()) {
    inner.set(http::field::content_type, "application/json");
    inner.body() = call.body;
  }
  inner.keep_alive(rc.keep_alive());
  inner.prepare_payload();
  co_return co_await api.router->Handle(inner, rc.remote);
}

bool Succeeded(const Reply& reply) { return reply.response.result_int() / 100 == 2; }

object BodyObject(const Reply& reply) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(reply.response.body(), ec);
  return !ec && v.is_object() ? std::move(v.as_object()) : object();
}

// The route's answer in the envelope, its status and headers (Retry-After,
// WWW-Authenticate, the rate limit's) kept.
Reply Answer(const RequestContext& rc, Reply reply, const Shape& shape) {
  Response& res = reply.response;
  res.body() = Succeeded(reply) ? SuccessBody(shape(BodyObject(reply)), NowMillis())
                                : ErrorBody(res.result_int(), res.body(), NowMillis());
  res.set(http::field::content_type, "application/json");
  res.keep_alive(rc.keep_alive());
  res.prepare_payload();
  return reply;
}

// The answer to `call`, which answered `reply`. A teamId of another team
// makes the key's own check fail (401); when the key itself is good, that
// is told as Shorten World tells it: 403, permission denied.
boost::asio::awaitable<Reply> Finish(Api& api, RequestContext& rc, const InnerCall& call,
                                     Reply reply, const Shape& shape) {
  if (reply.response.result() == http::status::unauthorized && !call.account.empty()) {
    // Named, not braced on the spot (see the handlers below): GCC 12
    // destroyed that temporary twice here (free(): invalid pointer).
    const InnerCall teams{http::verb::get, "/api/v1/teams?size=1", {}, {}};
    Reply probe = co_await Forward(api, rc, teams);
    if (probe.response.result() != http::status::unauthorized)
      co_return Refuse(rc, http::status::forbidden,
                       "Permission denied: teamId is not the team this key or token acts in.");
  }
  co_return Answer(rc, std::move(reply), shape);
}

boost::asio::awaitable<Reply> Run(Api& api, RequestContext& rc, Result<InnerCall> call,
                                  Shape shape) {
  if (!call.ok()) co_return Refuse(rc, call.error());
  Reply reply = co_await Forward(api, rc, *call);
  co_return co_await Finish(api, rc, *call, std::move(reply), shape);
}

Result<Params> ParamsOf(const RequestContext& rc) {
  return Params::FromRequest(rc.query, rc.req.body());
}

// Handlers, one per call; each names its translation and its shape. The
// arguments of each co_await are named or returned by a function, never
// braced or converted on the spot: GCC 12 destroys such a temporary twice
// when it is a coroutine's by-value parameter (checked with a counting type).

#define SW_PARAMS(params)     \
  auto params = ParamsOf(rc); \
  if (!params.ok()) co_return Refuse(rc, params.error());

Shape TokenShape() {
  return [](const object& inner) { return object{{"token", inner}}; };
}

Shape ListShape(std::string key, const Params& params) {
  auto asked = PageOf(params);  // checked already by the call
  PageAsked page = asked.ok() ? *asked : PageAsked{};
  return [key = std::move(key), page](const object& inner) {
    return ListAnswer(inner, key, page.page, page.size);
  };
}

Shape LinkShape(const Api& api) {
  return [&api](const object& inner) {
    return object{{"link", LinkAnswer(inner, api.options.public_url)}};
  };
}

Awaitable GetToken(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  auto call = TokenCall(*params);
  co_return co_await Run(api, rc, std::move(call), TokenShape());
}

Awaitable RefreshToken(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  auto call = RefreshCall(*params);
  co_return co_await Run(api, rc, std::move(call), TokenShape());
}

Awaitable RevokeToken(Api& api, RequestContext& rc) {
  Result<InnerCall> call = RevokeCall();
  Shape reshape = [](const object&) { return object(); };
  co_return co_await Run(api, rc, std::move(call), std::move(reshape));
}

Awaitable TeamList(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  auto call = TeamListCall(*params);
  co_return co_await Run(api, rc, std::move(call), ListShape("teams", *params));
}

Awaitable CampaignList(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  auto call = CampaignListCall(*params);
  co_return co_await Run(api, rc, std::move(call), ListShape("campaigns", *params));
}

Awaitable DomainList(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  // Custom domains are listed; the default one (--public-url) is every
  // team's, named by domainId "default".
  Shape list = ListShape("domains", *params);
  Shape shape = [&api, list](const object& inner) {
    object out = list(inner);
    out["defaultDomain"] = object{{"id", "default"}, {"host", api.context.default_host}};
    return out;
  };
  auto call = DomainListCall(*params);
  co_return co_await Run(api, rc, std::move(call), shape);
}

Awaitable LinkList(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  Shape list = ListShape("links", *params);
  Shape shape = [&api, list](const object& inner) {
    object out = list(inner);
    if (auto it = out.find("links"); it != out.end() && it->value().is_array())
      for (boost::json::value& link : it->value().as_array())
        if (link.is_object()) link = LinkAnswer(link.as_object(), api.options.public_url);
    return out;
  };
  auto call = LinkListCall(*params, api.context);
  co_return co_await Run(api, rc, std::move(call), shape);
}

// Create, then (unless noTitle) fetch the destination's title and set it:
// the title is fetched only once the create was admitted and done, so no
// request without a good credential makes admin-api fetch anything.
Awaitable CreateLink(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  auto call = CreateCall(*params, api.context);
  if (!call.ok()) co_return Refuse(rc, call.error());
  Reply created = co_await Forward(api, rc, *call);
  auto no_title_param = params->Bool("noTitle");  // checked already by CreateCall
  bool no_title = no_title_param.ok() && no_title_param->value_or(false);
  if (Succeeded(created) && !no_title) {
    object link = BodyObject(created);
    auto text = [&](std::string_view key) {
      auto it = link.find(key);
      return it != link.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                         : std::string();
    };
    std::string title = co_await FetchTitle(api.tls, text("longUrl"), api.title_limits);
    if (!title.empty()) {
      const InnerCall titling = TitleCall({text("shortUrl"), text("domain")}, title);
      Reply titled = co_await Forward(api, rc, titling);
      if (Succeeded(titled)) created = std::move(titled);
    }
  }
  Shape shape = LinkShape(api);
  co_return co_await Finish(api, rc, *call, std::move(created), shape);
}

// The link calls that map their parameters to one /api/v1 request and
// answer with the link: update, delete, redirect, mobile, expiration,
// password, testing.
template <Result<InnerCall> (*kCallOf)(const Params&)>
Awaitable LinkCall(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  auto call = kCallOf(*params);
  co_return co_await Run(api, rc, std::move(call), LinkShape(api));
}

Awaitable LinkAnalytics(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  // The metrics route answers {status, metricsMap} already; the status is ours.
  auto call = AnalyticsCall(*params);
  Shape as_is = [](const object& inner) { return inner; };
  co_return co_await Run(api, rc, std::move(call), std::move(as_is));
}

// Retargeting trackers (tracker_calls.h).

Awaitable TrackerList(Api& api, RequestContext& rc) {
  Result<InnerCall> call = ProviderListCall();
  // Each provider's id is the trackerId a link tracker create takes.
  Shape shape = [](const object& inner) {
    boost::json::value providers = boost::json::array();
    if (auto it = inner.find("providers"); it != inner.end()) providers = it->value();
    return object{{"trackers", std::move(providers)}};
  };
  co_return co_await Run(api, rc, std::move(call), std::move(shape));
}

Awaitable TeamTrackerList(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  Shape list = ListShape("teamTrackers", *params);
  Shape shape = [list](const object& inner) {
    object out = list(inner);
    if (auto it = inner.find("consent"); it != inner.end()) out["consent"] = it->value();
    return out;
  };
  auto call = TeamTrackerListCall(*params);
  co_return co_await Run(api, rc, std::move(call), std::move(shape));
}

// A link's trackers after a create or delete, each with its linkTrackerId.
Shape LinkTrackersShape(LinkId link) {
  return [link = std::move(link)](const object& inner) {
    boost::json::array all = LinkTrackerAnswers(link, LinkTrackersOf(inner));
    size_t total = all.size();
    return object{{"linkTrackers", std::move(all)}, {"total", total}};
  };
}

Awaitable LinkTrackerList(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  auto link = LinkIdOf(*params);
  if (!link.ok()) co_return Refuse(rc, link.error());
  auto asked = PageOf(*params);
  if (!asked.ok()) co_return Refuse(rc, asked.error());
  Result<InnerCall> call = ReadLinkCall(*link);
  // Paged here: the link's list is at most kMaxLinkTrackers long.
  Shape shape = [id = *link, page = *asked](const object& inner) {
    boost::json::array all = LinkTrackerAnswers(id, LinkTrackersOf(inner));
    boost::json::array slice;
    for (size_t i = page.page * page.size; i < all.size() && slice.size() < page.size; ++i)
      slice.push_back(all[i]);
    return object{{"linkTrackers", std::move(slice)},
                  {"total", all.size()},
                  {"page", page.page},
                  {"size", page.size}};
  };
  co_return co_await Run(api, rc, std::move(call), std::move(shape));
}

// Reads the link's trackers, adds the new ones and writes the list back
// (tracker_calls.h: not atomic with another change of the same list).
Awaitable CreateLinkTracker(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  auto link = LinkIdOf(*params);
  if (!link.ok()) co_return Refuse(rc, link.error());
  auto addition = TrackerAdditionOf(*params);
  if (!addition.ok()) co_return Refuse(rc, addition.error());
  Shape shape = LinkTrackersShape(*link);
  if (addition->all_team_trackers) {
    // At most kMaxTeamTrackers (100): one page.
    const Params team_params =
        Params::FromObject(object{{"teamId", addition->team}, {"size", 100}});
    auto list_call = TeamTrackerListCall(team_params);
    if (!list_call.ok()) co_return Refuse(rc, list_call.error());
    const InnerCall listing = *list_call;
    Reply listed = co_await Forward(api, rc, listing);
    if (!Succeeded(listed)) co_return co_await Finish(api, rc, listing, std::move(listed), shape);
    addition->trackers = AllTeamTrackers(BodyObject(listed));
  }
  const InnerCall read = ReadLinkCall(*link);
  Reply current = co_await Forward(api, rc, read);
  if (!Succeeded(current)) co_return co_await Finish(api, rc, read, std::move(current), shape);
  boost::json::array trackers = LinkTrackersOf(BodyObject(current));
  for (const boost::json::value& t : addition->trackers) trackers.push_back(t);
  const InnerCall write = SetTrackersCall(*link, std::move(trackers), addition->team);
  Reply written = co_await Forward(api, rc, write);
  co_return co_await Finish(api, rc, write, std::move(written), shape);
}

Awaitable DeleteLinkTracker(Api& api, RequestContext& rc) {
  SW_PARAMS(params);
  auto id = LinkTrackerIdOf(*params);
  if (!id.ok()) co_return Refuse(rc, id.error());
  Shape shape = LinkTrackersShape(id->link);
  const InnerCall read = ReadLinkCall(id->link);
  Reply current = co_await Forward(api, rc, read);
  if (!Succeeded(current)) co_return co_await Finish(api, rc, read, std::move(current), shape);
  boost::json::array trackers = LinkTrackersOf(BodyObject(current));
  if (id->position >= trackers.size())
    co_return Refuse(rc, http::status::not_found,
                     "Link tracker " + FormatLinkTrackerId(id->link, id->position) +
                         " does not exist: the link has " + std::to_string(trackers.size()) +
                         " trackers.");
  trackers.erase(trackers.begin() + id->position);
  const InnerCall write = SetTrackersCall(id->link, std::move(trackers), std::string());
  Reply written = co_await Forward(api, rc, write);
  co_return co_await Finish(api, rc, write, std::move(written), shape);
}

#undef SW_PARAMS

bool IsShortenWorldTarget(std::string_view target) {
  return target == "/v1" || target.starts_with("/v1/") || target.starts_with("/v1?");
}

}  // namespace

Status RegisterShortenWorldRoutes(Router& router, ShortenWorldOptions options) {
  using http::verb;
  // Held by every route; the routes live as long as the router.
  auto api = std::make_shared<Api>(&router, std::move(options));
  if (Status s = api->Configure(); !s.ok()) return s;
  auto add = [&](verb method, std::string_view pattern,
                 Awaitable (*handler)(Api&, RequestContext&)) {
    router.Add({method, pattern, Auth::kNone,
                [api, handler](RequestContext& rc) { return handler(*api, rc); }});
  };
  add(verb::post, "/v1/authen/token", GetToken);
  add(verb::post, "/v1/authen/refresh-token", RefreshToken);
  add(verb::post, "/v1/authen/revoke-token", RevokeToken);
  add(verb::get, "/v1/team/list", TeamList);
  add(verb::get, "/v1/campaign/list", CampaignList);
  add(verb::get, "/v1/domain/list", DomainList);
  add(verb::get, "/v1/link/list", LinkList);
  add(verb::post, "/v1/link/create", CreateLink);
  add(verb::put, "/v1/link/update", LinkCall<UpdateCall>);
  add(verb::delete_, "/v1/link/delete", LinkCall<DeleteCall>);
  add(verb::put, "/v1/link/redirect", LinkCall<RedirectCall>);
  add(verb::put, "/v1/link/mobile", LinkCall<MobileCall>);
  add(verb::put, "/v1/link/expiration", LinkCall<ExpirationCall>);
  add(verb::put, "/v1/link/password", LinkCall<PasswordCall>);
  add(verb::put, "/v1/link/testing", LinkCall<TestingCall>);
  add(verb::get, "/v1/link/analytics", LinkAnalytics);
  add(verb::get, "/v1/tracker/list", TrackerList);
  add(verb::get, "/v1/team/tracker/list", TeamTrackerList);
  add(verb::get, "/v1/link/tracker/list", LinkTrackerList);
  add(verb::post, "/v1/link/tracker/create", CreateLinkTracker);
  add(verb::delete_, "/v1/link/tracker/delete", DeleteLinkTracker);
  return Status::Ok();
}

Reply WithShortenWorldRefusal(std::string_view target, Reply reply) {
  Response& res = reply.response;
  if (!IsShortenWorldTarget(target)) return reply;
  if (res.result() != http::status::not_found && res.result() != http::status::method_not_allowed)
    return reply;
  // A /v1 handler's own 404 is in the envelope already.
  if (BodyObject(reply).contains("status")) return reply;
  res.body() = ErrorBody(res.result_int(), res.body(), NowMillis());
  res.set(http::field::content_type, "application/json");
  res.prepare_payload();
  return reply;
}

boost::asio::awaitable<Reply> HandleWithShortenWorldRefusals(Router& router, Request& req,
                                                             std::string_view remote) {
  Reply reply = co_await router.Handle(req, remote);
  co_return WithShortenWorldRefusal(req.target(), std::move(reply));
}

}  // namespace shortlink::admin
