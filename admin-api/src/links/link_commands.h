// Link commands: create, update, delete and bulk create as plain functions of
// a principal and plain C++ inputs, returning Result. They hold every check
// a write gets before the writer (validation, the access check of
// auth/access.h, password hashing off the I/O threads) so that the JSON
// handlers (handlers_urls.cc) only map JSON to them and back, and the CSV
// importer and the fuzzers reach the same checks (ValidateNewLink).
//
// Answers are those of the API: kInvalidArgument for a bad input (naming the
// field), kNotFound for a link that does not exist or is not the principal's
// (the two are not told apart), kConflict for a code in use, and the
// writer's errors (kUnavailable, kInternal) as it gives them. The writer
// checks ownership and the rules again at commit (link_service.h), so a
// command racing another never commits on a stale check.
//
// Thread safety: the coroutines may run on any number of I/O threads at
// once; each resumes on the executor it was started on (AsyncSubmit,
// PasswordHasher). ValidateNewLink is a pure function.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "common/link.h"
#include "common/result.h"
#include "common/validation.h"
#include "links/link_index.h"
#include "links/link_patch.h"
#include "links/link_service.h"
#include "links/password_hasher.h"

namespace shortlink::admin {

// What the link commands and queries reach; the pointers outlive them.
struct LinkApi {
  LinkIndex* index = nullptr;
  LinkService* links = nullptr;
  PasswordHasher* hasher = nullptr;  // link passwords, off the I/O threads
  UrlPolicy url_policy;
  // A team's id (UUID) as answers show it; team numbers stay inside. Set by
  // serve.cc from teams/; unset (tests): empty.
  std::function<std::string(uint64_t team)> team_id;
  // Resolves the team trackers a patch names (teamTrackerId) into provider
  // and pixel id, and sets the consent they wait for from the team, when
  // the patch gives trackers. Set by trackers/ (serve.cc); unset (tests):
  // teamTrackerId is refused and consent stays "none".
  std::function<Status(uint64_t team, LinkPatch* patch)> resolve_trackers;
};

// api.resolve_trackers for `team` when `patch` gives trackers.
Status ResolveLinkTrackers(const LinkApi& api, uint64_t team, LinkPatch* patch);

inline constexpr size_t kMaxBulkRows = 1000;
// Each password costs ~50 ms of a hashing thread: 100 of them keep the two
// threads of the pool busy for ~2.5 s, about what one request may ask.
inline constexpr size_t kMaxBulkPasswords = 100;

// A link to create as a client gives it (a create body, a bulk row, a CSV
// row), not yet checked.
struct NewLink {
  std::string long_url;
  std::optional<std::string> code;  // as given ("" is refused); none: a random one
  bool is_file = false;
  LinkPatch fields;    // each field checked as read (link_rules_json.h); a password in plaintext
  std::string domain;  // a custom domain, normalized (NormalizeDomain); empty: the default one
};

// What a PATCH changes on a link; absent fields are left as they are.
struct LinkChange {
  std::optional<std::string> long_url;
  std::optional<LinkState> state;
  LinkPatch fields;  // a password in plaintext
};

// The checks every create path shares, in this order: the long URL
// (ValidateLongUrl), the code (NormalizeCode), an expiresAt at or before
// `now_ms` (a link created dead is a mistake; a PATCH may expire a link on
// purpose), and the fields together on a new link (CheckLinkPatch). The
// password stays plaintext.
Result<CreateLink> ValidateNewLink(NewLink link, uint64_t owner, const UrlPolicy& policy,
                                   int64_t now_ms);

// The code a path or a client names, normalized; one that cannot name a link
// (bad characters, a reserved word) names none: kNotFound.
Result<std::string> CodeFromPath(std::string_view param);

// Creates `link` for `principal`, answering the link as stored.
boost::asio::awaitable<Result<Link>> CreateLinkAs(LinkApi& api, const auth::Principal& principal,
                                                  NewLink link, int64_t now_ms);

// Creates up to kMaxBulkRows links in one group commit; one answer per row,
// in order (a row refused does not stop the others). The whole request is
// refused (the outer error) for no rows or too many, more than
// kMaxBulkPasswords passwords among the valid rows, or a hashing failure.
boost::asio::awaitable<Result<std::vector<Result<Link>>>> BulkCreateAs(
    LinkApi& api, const auth::Principal& principal, std::vector<NewLink> rows, int64_t now_ms);

// Applies `change` to the link `code` names, answering it as stored. A
// change that changes nothing is refused (kInvalidArgument).
// `domain` is the link's (normalized; empty: the default domain).
boost::asio::awaitable<Result<Link>> UpdateLinkAs(LinkApi& api, const auth::Principal& principal,
                                                  std::string_view code, LinkChange change,
                                                  std::string domain = {});

// Deletes the link `code` names, answering it as it was.
boost::asio::awaitable<Result<Link>> DeleteLinkAs(LinkApi& api, const auth::Principal& principal,
                                                  std::string_view code, std::string domain = {});

// The domain a `?domain=` query parameter names, normalized: "" when it is
// absent (the default domain); kNotFound when it cannot name a domain (no
// link lives there).
Result<std::string> DomainFromQuery(const std::map<std::string, std::string>& query);

}  // namespace shortlink::admin
