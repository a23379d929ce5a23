// What every handler can reach: the stores and services of one admin-api
// process, wired by App. Pointers are owned by App and outlive the server.
#pragma once

#include <atomic>
#include <string>

#include "accounts.h"
#include "api_key.h"
#include "common/metrics.h"
#include "common/validation.h"
#include "database.h"
#include "link_index.h"
#include "link_service.h"
#include "password_hasher.h"
#include "rate_limiter.h"

namespace shortlink::admin {

struct ApiContext {
  Database* db = nullptr;
  LinkIndex* index = nullptr;
  LinkService* links = nullptr;
  Accounts* accounts = nullptr;
  RateLimiter* limiter = nullptr;
  MetricsRegistry* metrics = nullptr;
  PasswordHasher* hasher = nullptr;  // link passwords, off the I/O threads
  UrlPolicy url_policy;
  Environment environment = Environment::kProduction;
  std::string node_token;    // empty: node endpoints refuse everyone
  std::string public_url;    // e.g. https://go.example, without a trailing slash
  std::string openapi_yaml;  // the document served at /api/v1/openapi.yaml
  std::atomic<bool> ready{false};
};

}  // namespace shortlink::admin
