// LinkPatch: the optional fields of a link (issue 6: metadata and rules) as
// a create or a PATCH gives them, and the checks that only make sense on the
// whole link: an expiredUrl needs an expiry, a clickLimitUrl a limit, a
// unique window the UNIQUE click type.
//
// Each field of a patch is absent (nullopt: left as it is) or holds the new
// value, where the type's empty value ("", 0, false, {}) clears the field:
// the link model uses the same empty values for "not set". The JSON side
// (null clears, a present field replaces) is link_rules_json.h.
//
// The writer (LinkService) applies a patch to the link as it is at commit
// time and checks the result there, so two PATCHes racing each other can
// never leave an inconsistent link behind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/link.h"
#include "common/result.h"
#include "common/tracker.h"

namespace shortlink::admin {

inline constexpr size_t kMaxTitleBytes = 200;
inline constexpr size_t kMaxTags = 20;
inline constexpr size_t kMaxTagBytes = 50;
inline constexpr uint64_t kMaxMaxClicks = 1'000'000'000'000;  // 10^12 clicks
inline constexpr size_t kMaxAbTargets = 10;
inline constexpr size_t kMaxUtmBytes = 100;

// A retargeting tracker as a request gives it: a provider and pixel id, or
// one of the team's trackers by id (team_tracker != 0), which the handler
// resolves (LinkApi::resolve_trackers) before the writer sees the patch.
struct PatchTracker {
  LinkTracker tracker;
  uint64_t team_tracker = 0;
};

struct LinkPatch {
  std::optional<std::string> title;
  std::optional<std::vector<std::string>> tags;  // deduplicated already
  std::optional<bool> hidden;
  std::optional<int64_t> expires_at_ms;
  std::optional<std::string> expired_url;
  std::optional<uint64_t> max_clicks;
  std::optional<std::string> click_limit_url;
  std::optional<ClickType> click_type;
  std::optional<uint32_t> unique_window_minutes;
  // The password as the request gave it ("" removes it). The handler hashes
  // it off the I/O threads and moves the hash to password_hash; the writer
  // refuses a patch that still holds a plaintext password.
  std::optional<std::string> password;
  std::optional<std::string> password_hash;  // argon2id (HashPassword), or "" to remove
  std::optional<DeviceTargets> devices;      // devices and utm: replaced whole, not key by key
  std::optional<std::vector<AbTarget>> ab_targets;
  std::optional<UtmParameters> utm;
  std::optional<bool> forward_query;
  std::optional<uint16_t> redirect_type;
  // A campaign of the link's team (0 clears it); the writer checks at
  // commit that it is the team's (CampaignDirectory).
  std::optional<uint64_t> campaign;
  // The link's trackers, replaced whole ({} clears them), and the consent
  // they wait for, which the handler copies from the team with them.
  std::optional<std::vector<PatchTracker>> trackers;
  std::optional<TrackerConsent> tracker_consent;

  // True when the patch changes nothing (no field was given at all).
  bool empty() const;
};

// Sets the fields `patch` gives on `link`. Fails (kInternal) only for a
// patch that still holds a plaintext password or a password_hash that is
// not one: a bug of the caller, which must not reach storage.
Status ApplyLinkPatch(const LinkPatch& patch, Link* link);

// The rules of `link` taken together: 400 naming the field for an
// expiredUrl without expiresAt, a clickLimitUrl without maxClicks, a
// uniqueWindowMinutes without clickType UNIQUE, A/B percentages that do not
// sum to 100.
Status CheckLinkRules(const Link& link);

// CheckLinkRules of `link` with `patch` applied, whatever password the patch
// holds: for refusing a bad request before its password is hashed.
Status CheckLinkPatch(const LinkPatch& patch, Link link);

}  // namespace shortlink::admin
