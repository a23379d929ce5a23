// The handlers of admin-api's routes. Each adapts one request to the plain
// services (LinkService, LinkIndex, Accounts) and maps their errors to
// statuses; the router has already authenticated the caller where the route
// requires it.
#pragma once

#include "api_context.h"
#include "request_context.h"

namespace shortlink::admin {

// /api/v1/urls (the Go API, plus delete, get-one and bulk).
Awaitable ListUrls(ApiContext& ctx, RequestContext& rc);
Awaitable CreateUrl(ApiContext& ctx, RequestContext& rc);
Awaitable BulkCreateUrls(ApiContext& ctx, RequestContext& rc);
Awaitable GetUrl(ApiContext& ctx, RequestContext& rc);
Awaitable UpdateUrl(ApiContext& ctx, RequestContext& rc);
Awaitable DeleteUrl(ApiContext& ctx, RequestContext& rc);

// /api/v1/keys and /api/v1/users.
Awaitable CreateKey(ApiContext& ctx, RequestContext& rc);
Awaitable ListKeys(ApiContext& ctx, RequestContext& rc);
Awaitable RevokeKey(ApiContext& ctx, RequestContext& rc);
Awaitable CreateUser(ApiContext& ctx, RequestContext& rc);

// /internal/v1: redirect nodes (docs/node-protocol.md).
Awaitable NodeChanges(ApiContext& ctx, RequestContext& rc);
Awaitable NodeSnapshot(ApiContext& ctx, RequestContext& rc);
Awaitable NodeClickWatermark(ApiContext& ctx, RequestContext& rc);

// Operations: /healthz, /metrics, /api/v1/openapi.yaml.
Awaitable Healthz(ApiContext& ctx, RequestContext& rc);
Awaitable Metrics(ApiContext& ctx, RequestContext& rc);
Awaitable OpenApi(ApiContext& ctx, RequestContext& rc);

}  // namespace shortlink::admin
