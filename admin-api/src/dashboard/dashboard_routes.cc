#include "dashboard/dashboard_routes.h"

#include "dashboard/asset_response.h"

namespace shortlink::admin {
namespace {

Awaitable Index(RequestContext& rc) {
  co_return Reply{dashboard::AssetResponse(rc.req, "index.html"), {}};
}

Awaitable File(RequestContext& rc) {
  co_return Reply{dashboard::AssetResponse(rc.req, rc.param), {}};
}

}  // namespace

void RegisterDashboardRoutes(Router& router) {
  using http::verb;
  router.Add({verb::get, "/dashboard", Auth::kNone, Index});
  router.Add({verb::get, "/dashboard/{file}", Auth::kNone, File});
}

}  // namespace shortlink::admin
