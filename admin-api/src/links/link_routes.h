// The /api/v1/urls routes (the Go API, plus delete, get-one and bulk). Each
// handler maps one request's JSON to a link command or query
// (link_commands.h, link_queries.h) and its answer back to JSON; the router
// has already resolved the caller's principal.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/validation.h"
#include "http/router.h"
#include "links/link_commands.h"
#include "links/link_index.h"
#include "links/link_service.h"

namespace shortlink::admin {

// Adds the /api/v1/urls routes (API key) to `router`; `api` (link_commands.h)
// outlives it.
void RegisterLinkRoutes(Router& router, LinkApi& api);

// The pure parts of the handlers, apart so that the fuzzers
// (tests/fuzz/api_body_fuzz.cc, api_query_fuzz.cc) reach them without a server.
// GET /api/v1/urls parameters (limit, offset, searchText, state, orderBy,
// sortDirection, isFile, hidden, tag, domain: one, "*" or several,
// campaignIds) into a query of `owner`'s links.
Result<ListQuery> ParseListQuery(const std::map<std::string, std::string>& query, uint64_t owner);
// One {longUrl, shortUrl?, ...} object (a create body or a bulk row) with the
// optional fields of link_rules_json.h, as the create handlers read it and
// the commands check it (ValidateNewLink): unknown keys refused, each field,
// an expiresAt at or before `now_ms`, the rules together. A password stays
// plaintext until the command hashes it. (The {shortUrl} of a path is
// CodeFromPath, link_commands.h.)
Result<CreateLink> ParseCreateLink(const simdjson::dom::object& obj, const UrlPolicy& policy,
                                   uint64_t owner, int64_t now_ms);

}  // namespace shortlink::admin
