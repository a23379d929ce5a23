#include "dashboard/dashboard_routes.h"

#include "dashboard/asset_response.h"

namespace shortlink::admin {
namespace {

// The admin port's root: people who open it want the dashboard.
Awaitable Root(RequestContext& rc) {
  Response res{http::status::found, rc.req.version()};
  res.set(http::field::location, "/dashboard");
  res.set(http::field::cache_control, "no-cache");
  res.keep_alive(rc.req.keep_alive());
  res.prepare_payload();
  co_return Reply{std::move(res), {}};
}

Awaitable Index(RequestContext& rc) {
  co_return Reply{dashboard::AssetResponse(rc.req, "index.html"), {}};
}

Awaitable File(RequestContext& rc) {
  co_return Reply{dashboard::AssetResponse(rc.req, rc.param), {}};
}

}  // namespace

void RegisterDashboardRoutes(Router& router) {
  using http::verb;
  router.Add({verb::get, "/", Auth::kNone, Root});
  router.Add({verb::get, "/dashboard", Auth::kNone, Index});
  router.Add({verb::get, "/dashboard/{file}", Auth::kNone, File});
}

}  // namespace shortlink::admin
