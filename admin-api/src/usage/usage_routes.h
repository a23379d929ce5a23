// The quota routes (issue 19, GoGoWorx's "API Message Quota"):
//
//   GET /api/v1/usage[?month=YYYY-MM]   the team's requests in a UTC month
//       (default: the current one), the included ones, those over, the
//       overage charge (overage.h) and the team's policy
//   PUT /api/v1/usage/policy            {"policy": "meter"|"block"}; team
//       admins and owners
//
// and the router's gate for user requests (Router::SetUserRequestGate),
// which counts each one (usage_meter.h) and refuses those of a blocked team
// over its quota with 429 and Retry-After to the next month. The usage
// routes themselves are counted but never blocked, so a blocked team can
// still read its usage and switch to meter.
#pragma once

#include "http/router.h"
#include "usage/usage_meter.h"

namespace shortlink::admin {

// What the usage routes and the gate reach.
struct UsageApi {
  usage::UsageMeter* meter = nullptr;  // none: nothing counted (route tables in tests)
};

// Adds the routes and the gate to `router`; `api` outlives it.
void RegisterUsageRoutes(Router& router, UsageApi& api);

}  // namespace shortlink::admin
