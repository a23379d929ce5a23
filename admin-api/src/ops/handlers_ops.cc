#include "ops/ops_routes.h"

namespace shortlink::admin {
namespace {

Awaitable Healthz(OpsApi& ctx, RequestContext& rc) {
  if (!ctx.ready) co_return rc.Error(ErrorCode::kUnavailable, "starting");
  co_return rc.Json(http::status::ok, R"({"status":"ok"})");
}

Awaitable Metrics(OpsApi& ctx, RequestContext& rc) {
  Response res{http::status::ok, rc.version()};
  res.set(http::field::content_type, "text/plain; version=0.0.4");
  res.keep_alive(rc.keep_alive());
  res.body() = ctx.metrics->Render();
  res.prepare_payload();
  co_return Reply{std::move(res), {}};
}

Awaitable OpenApi(OpsApi& ctx, RequestContext& rc) {
  Response res{http::status::ok, rc.version()};
  res.set(http::field::content_type, "application/yaml");
  res.keep_alive(rc.keep_alive());
  res.body() = ctx.openapi_yaml;
  res.prepare_payload();
  co_return Reply{std::move(res), {}};
}

}  // namespace

void RegisterOpsRoutes(Router& router, OpsApi& api) {
  using http::verb;
  router.Add({verb::get, "/api/v1/openapi.yaml", Auth::kNone, Bind(api, OpenApi)});
  router.Add({verb::get, "/healthz", Auth::kNone, Bind(api, Healthz)});
  router.Add({verb::get, "/metrics", Auth::kNone, Bind(api, Metrics)});
  RegisterBackupRoutes(router, api);
}

}  // namespace shortlink::admin
