#include "handlers.h"

namespace shortlink::admin {

Awaitable Healthz(ApiContext& ctx, RequestContext& rc) {
  if (!ctx.ready) co_return rc.Error(ErrorCode::kUnavailable, "starting");
  co_return rc.Json(http::status::ok, R"({"status":"ok"})");
}

Awaitable Metrics(ApiContext& ctx, RequestContext& rc) {
  Response res{http::status::ok, rc.version()};
  res.set(http::field::content_type, "text/plain; version=0.0.4");
  res.keep_alive(rc.keep_alive());
  res.body() = ctx.metrics->Render();
  res.prepare_payload();
  co_return Reply{std::move(res), {}};
}

Awaitable OpenApi(ApiContext& ctx, RequestContext& rc) {
  Response res{http::status::ok, rc.version()};
  res.set(http::field::content_type, "application/yaml");
  res.keep_alive(rc.keep_alive());
  res.body() = ctx.openapi_yaml;
  res.prepare_payload();
  co_return Reply{std::move(res), {}};
}

}  // namespace shortlink::admin
