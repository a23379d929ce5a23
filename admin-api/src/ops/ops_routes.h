// Operations: /healthz, /metrics and /api/v1/openapi.yaml, open to all;
// POST /api/v1/backups, a checkpoint of the database, for site admins
// (ops/backup_routes.cc).
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "common/metrics.h"
#include "http/router.h"
#include "store/database.h"

namespace shortlink::admin {

// What the operations handlers reach; outlives the router.
struct OpsApi {
  MetricsRegistry* metrics = nullptr;
  std::string openapi_yaml;        // the document served at /api/v1/openapi.yaml
  std::atomic<bool> ready{false};  // /healthz: 503 "starting" until set
  // Backups: each a directory of backup_dir; none (503) while db is null.
  Database* db = nullptr;
  std::string backup_dir;
  std::mutex backup_mutex;  // one checkpoint at a time
};

// Adds the operations routes to `router`; `api` outlives it.
void RegisterOpsRoutes(Router& router, OpsApi& api);

// POST /api/v1/backups, added by RegisterOpsRoutes (ops/backup_routes.cc).
void RegisterBackupRoutes(Router& router, OpsApi& api);

}  // namespace shortlink::admin
