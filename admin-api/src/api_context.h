// What every handler can reach: the stores and services of one admin-api
// process, wired by App. Pointers are owned by App and outlive the server.
#pragma once

#include <atomic>
#include <string>

#include "accounts/accounts.h"
#include "accounts/api_key.h"
#include "common/metrics.h"
#include "common/validation.h"
#include "http/rate_limiter.h"
#include "links/link_index.h"
#include "links/link_service.h"
#include "links/password_hasher.h"
#include "store/database.h"

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
