#include <boost/json.hpp>

#include "auth/access.h"
#include "http/json_input.h"
#include "usage/usage_json.h"
#include "usage/usage_routes.h"

namespace shortlink::admin {
namespace {

using usage::UsageMeter;

bool IsUsageRoute(std::string_view path) {
  return path == "/api/v1/usage" || path.starts_with("/api/v1/usage/");
}

// The gate every request of a user passes (Router::SetUserRequestGate):
// counted before it runs, answered once its count is durable.
Awaitable CountRequest(UsageApi& api, RequestContext& rc,
                       const std::function<Awaitable(RequestContext&)>& handle) {
  if (!api.meter) co_return co_await handle(rc);
  UsageMeter& meter = *api.meter;
  UsageMeter::Admission admission = meter.Admit(rc.principal->team, !IsUsageRoute(rc.path));
  if (!admission.allowed) {
    Reply reply = rc.Error(ErrorCode::kRateLimited,
                           "This team has used the " + std::to_string(meter.included()) +
                               " API requests its month includes, and its policy is block; " +
                               "requests are served again from the next month (UTC).");
    reply.response.set(http::field::retry_after, std::to_string(admission.retry_after_seconds));
    co_return reply;
  }
  Reply reply = co_await handle(rc);
  co_await meter.Durable(admission.ticket);
  co_return reply;
}

Reply Refused(const RequestContext& rc, auth::Action action) {
  if (auto refusal = auth::Refusal(*rc.principal, action)) return rc.Error(*refusal);
  return rc.Error(ErrorCode::kNotFound, "Not found.");
}

Awaitable GetUsage(UsageApi& api, RequestContext& rc) {
  UsageMeter& meter = *api.meter;
  if (!auth::Allow(*rc.principal, auth::Action::kReadTeam))
    co_return Refused(rc, auth::Action::kReadTeam);
  usage::Month month = usage::MonthOf(meter.NowSeconds());
  if (auto it = rc.query.find("month"); it != rc.query.end()) {
    auto parsed = usage::ParseMonth(it->second);
    if (!parsed)
      co_return rc.Error(ErrorCode::kInvalidArgument,
                         "month must be a month as YYYY-MM (e.g. 2026-01), from 1970-01.");
    month = *parsed;
  }
  uint64_t team = rc.principal->team;
  co_return rc.Json(http::status::ok, boost::json::serialize(usage::UsageToJson(
                                          month, meter.Requests(team, month), meter.included(),
                                          meter.PolicyOf(team))));
}

// Sets a policy from a connection's coroutine: the writer thread's answer
// is posted back to the coroutine's executor.
boost::asio::awaitable<Status> SetPolicy(UsageMeter& meter, uint64_t team, usage::Policy policy) {
  namespace asio = boost::asio;
  return asio::async_initiate<const asio::use_awaitable_t<>, void(Status)>(
      [&meter, team, policy](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        meter.SetPolicy(team, policy, [shared](Status status) {
          auto executor = asio::get_associated_executor(*shared);
          asio::post(executor, [shared, status]() mutable { std::move (*shared)(status); });
        });
      },
      asio::use_awaitable);
}

Awaitable PutPolicy(UsageApi& api, RequestContext& rc) {
  UsageMeter& meter = *api.meter;
  if (!auth::Allow(*rc.principal, auth::Action::kSetUsagePolicy))
    co_return Refused(rc, auth::Action::kSetUsagePolicy);
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  static constexpr std::string_view kFields[] = {"policy"};
  if (Status known = OnlyKnownFields(*obj, kFields); !known.ok()) co_return rc.Error(known.error());
  auto text = OptionalString(*obj, "policy");
  if (!text.ok()) co_return rc.Error(text.error());
  usage::Policy policy;
  if (!*text || !usage::ParsePolicy(**text, &policy))
    co_return rc.Error(ErrorCode::kInvalidArgument,
                       "policy must be \"meter\" (serve past the included requests, count the "
                       "overage) or \"block\" (refuse them until the next month).");
  uint64_t team = rc.principal->team;
  Status written = co_await SetPolicy(meter, team, policy);
  if (!written.ok()) co_return rc.Error(written.error());
  usage::Month month = usage::MonthOf(meter.NowSeconds());
  co_return rc.Json(http::status::ok,
                    boost::json::serialize(usage::UsageToJson(month, meter.Requests(team, month),
                                                              meter.included(), policy)));
}

}  // namespace

void RegisterUsageRoutes(Router& router, UsageApi& api) {
  using http::verb;
  router.Add({verb::get, "/api/v1/usage", Auth::kApiKey, Bind(api, GetUsage)});
  router.Add({verb::put, "/api/v1/usage/policy", Auth::kApiKey, Bind(api, PutPolicy)});
  router.SetUserRequestGate(
      [&api](RequestContext& rc, const std::function<Awaitable(RequestContext&)>& handle) {
        return CountRequest(api, rc, handle);
      });
}

}  // namespace shortlink::admin
