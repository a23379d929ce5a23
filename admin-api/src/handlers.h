// The handlers of admin-api's routes. Each adapts one request to the plain
// services (LinkService, LinkIndex, Accounts) and maps their errors to
// statuses; the router has already authenticated the caller where the route
// requires it.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "api_context.h"
#include "http/iso8601.h"
#include "http/json_input.h"
#include "request_context.h"

namespace shortlink::admin {

// The pure parts of the /api/v1/urls handlers, apart so that the fuzzers
// (tests/fuzz/api_body_fuzz.cc, api_query_fuzz.cc) reach them without a server.
// GET /api/v1/urls parameters (limit, offset, searchText, state, orderBy,
// sortDirection, isFile, hidden, tag) into a query of `owner`'s links.
Result<ListQuery> ParseListQuery(const std::map<std::string, std::string>& query, uint64_t owner);
// One {longUrl, shortUrl?, ...} object (a create body or a bulk row) with the
// optional fields of link_rules_json.h, validated, each field and the rules
// together; a password stays plaintext until the handler hashes it. Unknown
// keys are refused, and so is an expiresAt at or before `now_ms`: a link
// created dead is a mistake (a PATCH may expire a link on purpose).
Result<CreateLink> ParseCreateLink(const simdjson::dom::object& obj, const UrlPolicy& policy,
                                   uint64_t owner, int64_t now_ms);
// The {shortUrl} of a path, normalized; a path that cannot name a link (bad
// characters, reserved word) names none: kNotFound.
Result<std::string> CodeFromPath(std::string_view param);

// The optional expiry in a POST /api/v1/keys body: {"expiresAt": an
// ISO-8601 UTC instant after `now_ms`} or {"expiresInDays": 1-3650}, not
// both. An empty body, {} or nulls: 0, no expiry.
Result<int64_t> ParseKeyExpiry(std::string_view body, int64_t now_ms);

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
