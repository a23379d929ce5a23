// Operations: /healthz, /metrics and /api/v1/openapi.yaml, open to all.
#pragma once

#include <atomic>
#include <string>

#include "common/metrics.h"
#include "http/router.h"

namespace shortlink::admin {

// What the operations handlers reach; outlives the router.
struct OpsApi {
  MetricsRegistry* metrics = nullptr;
  std::string openapi_yaml;        // the document served at /api/v1/openapi.yaml
  std::atomic<bool> ready{false};  // /healthz: 503 "starting" until set
};

// Adds the operations routes (no credentials) to `router`; `api` outlives it.
void RegisterOpsRoutes(Router& router, OpsApi& api);

}  // namespace shortlink::admin
