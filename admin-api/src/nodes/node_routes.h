// The /internal/v1 routes of the redirect nodes (docs/node-protocol.md):
// changes, snapshot, click watermark; the node token check; and the
// link-state digest site admins compare with the nodes' own.
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

// Adds the /internal/v1 routes (node token) to `router`, and GET
// /api/v1/nodes/digest (site admins: RegisterDigestRoutes); `api` outlives it.
void RegisterNodeRoutes(Router& router, NodeApi& api);
void RegisterDigestRoutes(Router& router, NodeApi& api);  // nodes/digest_routes.cc

// auth::NodeTokenCheck: `presented` is `token`, compared in constant
// time; an empty `token` (no --node-token-file) refuses everyone.
bool IsNodeToken(const std::string& token, std::string_view presented);

}  // namespace shortlink::admin
