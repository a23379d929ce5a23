// `admin-api serve`: the long-running API process.
#pragma once

#include <cstdint>
#include <string>

#include "accounts/api_key.h"

namespace shortlink::admin {

struct ServeOptions {
  std::string data_dir;
  std::string listen = "127.0.0.1:8443";
  std::string redis = "127.0.0.1:6379";  // empty: do not publish
  // Sentinels (HOST:PORT,...) and the master name they watch: used instead
  // of `redis` when set (common/redis_locator.h).
  std::string redis_sentinel;
  std::string redis_master;
  std::string tls_cert;
  std::string tls_key;
  bool plain_http = false;
  Environment environment = Environment::kProduction;
  std::string public_url;
  std::string node_token_file;
  double rate_limit = 5;             // requests per second per user
  uint64_t quota_included = 50'000;  // API requests per team and month before overage
  std::string blocklist_file;
  int threads = 2;
  std::string openapi_file;                      // empty: the document compiled in
  uint32_t analytics_retention_hours = 90 * 24;  // hourly analytics rows, then daily
  // Webhooks (webhooks/): private targets and http:// URLs allowed (tests,
  // internal receivers); the retry schedule's first step and the link.clicked
  // interval, in milliseconds (tests shorten them).
  bool webhooks_allow_private = false;
  // Shorten World's create (shortenworld/): page titles may be fetched from
  // private and loopback addresses too (tests); refused by default.
  bool title_fetch_allow_private = false;
  std::string title_fetch_ca;          // PEM CAs for its https:// pages; empty: the system's
  std::string title_fetch_connect_to;  // HOST:PORT every title fetch connects to (tests)
  int64_t webhook_retry_base_ms = 10'000;
  int64_t webhook_retry_window_ms = 24 * 3'600'000;  // then a failing webhook is disabled
  int64_t webhook_click_interval_ms = 10'000;
  // Where POST /api/v1/backups writes (ops/backup_routes.cc); empty: <data_dir>-backups.
  std::string backup_dir;
};

// Runs until SIGTERM/SIGINT; returns the process exit code.
int Serve(const ServeOptions& options);

}  // namespace shortlink::admin
