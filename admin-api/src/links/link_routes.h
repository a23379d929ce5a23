// The /api/v1/urls routes (the Go API, plus delete, get-one and bulk). Each
// handler adapts one request to LinkService and LinkIndex and maps their
// errors to statuses; the router has already checked the caller's key.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/validation.h"
#include "http/router.h"
#include "links/link_index.h"
#include "links/link_service.h"
#include "links/password_hasher.h"

namespace shortlink::admin {

// What the link handlers reach; the pointers outlive the router.
struct LinkApi {
  LinkIndex* index = nullptr;
  LinkService* links = nullptr;
  PasswordHasher* hasher = nullptr;  // link passwords, off the I/O threads
  UrlPolicy url_policy;
};

// Adds the /api/v1/urls routes (API key) to `router`; `api` outlives it.
void RegisterLinkRoutes(Router& router, LinkApi& api);

// The pure parts of the handlers, apart so that the fuzzers
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

}  // namespace shortlink::admin
