// The /internal/v1 routes of the redirect nodes (docs/node-protocol.md):
// changes, snapshot, click watermark; and the node token check.
#pragma once

#include <string>
#include <string_view>

#include "http/router.h"
#include "links/link_service.h"
#include "store/database.h"

namespace shortlink::admin {

// What the node handlers reach; the pointers outlive the router.
struct NodeApi {
  Database* db = nullptr;
  LinkService* links = nullptr;
};

// Adds the /internal/v1 routes (node token) to `router`; `api` outlives it.
void RegisterNodeRoutes(Router& router, NodeApi& api);

// auth::NodeTokenCheck: `presented` is `token`, compared in constant
// time; an empty `token` (no --node-token-file) refuses everyone.
bool IsNodeToken(const std::string& token, std::string_view presented);

}  // namespace shortlink::admin
