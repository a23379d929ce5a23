#include "links/link_patch.h"

#include "common/password.h"

namespace shortlink::admin {
namespace {

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

template <typename T>
void Set(const std::optional<T>& value, T* field) {
  if (value) *field = *value;
}

}  // namespace

bool LinkPatch::empty() const {
  return !title && !tags && !hidden && !expires_at_ms && !expired_url && !max_clicks &&
         !click_limit_url && !click_type && !unique_window_minutes && !password && !password_hash &&
         !devices && !ab_targets && !utm && !forward_query && !redirect_type && !campaign &&
         !trackers && !tracker_consent;
}

Status ApplyLinkPatch(const LinkPatch& p, Link* link) {
  if (p.password) return MakeError(ErrorCode::kInternal, "a link password was not hashed");
  if (p.password_hash && !p.password_hash->empty() && !IsPasswordHash(*p.password_hash))
    return MakeError(ErrorCode::kInternal, "a link password hash is malformed");
  Set(p.title, &link->title);
  Set(p.tags, &link->tags);
  Set(p.hidden, &link->hidden);
  LinkRules& r = link->rules;
  Set(p.expires_at_ms, &r.expires_at_ms);
  Set(p.expired_url, &r.expired_url);
  Set(p.max_clicks, &r.max_clicks);
  Set(p.click_limit_url, &r.click_limit_url);
  Set(p.click_type, &r.click_type);
  Set(p.unique_window_minutes, &r.unique_window_minutes);
  Set(p.password_hash, &r.password_hash);
  Set(p.devices, &r.devices);
  Set(p.ab_targets, &r.ab_targets);
  Set(p.utm, &r.utm);
  Set(p.forward_query, &r.forward_query);
  Set(p.redirect_type, &r.redirect_type);
  Set(p.campaign, &link->campaign);
  if (p.trackers) {
    r.trackers.clear();
    for (const PatchTracker& t : *p.trackers) {
      // Where no handler resolved it (a CSV import): refused, not guessed.
      if (t.team_tracker != 0)
        return Invalid("teamTrackerId is not taken here: give provider and pixelId.");
      if (!IsValidPixelId(t.tracker.provider, t.tracker.pixel_id))
        return MakeError(ErrorCode::kInternal, "a link tracker's pixel id was not checked");
      r.trackers.push_back(t.tracker);
    }
  }
  Set(p.tracker_consent, &r.tracker_consent);
  return Status::Ok();
}

Status CheckLinkRules(const Link& link) {
  const LinkRules& r = link.rules;
  // The messages say how to get out, since with PATCH the other half of
  // the pair may be in the stored link rather than in the request.
  if (!r.expired_url.empty() && r.expires_at_ms == 0) {
    return Invalid("expiredUrl needs expiresAt: give expiresAt, or clear expiredUrl too.");
  }
  if (!r.click_limit_url.empty() && r.max_clicks == 0) {
    return Invalid("clickLimitUrl needs maxClicks: give maxClicks, or clear clickLimitUrl too.");
  }
  if (r.unique_window_minutes != 0 && r.click_type != ClickType::kUnique) {
    return Invalid(
        "uniqueWindowMinutes needs clickType UNIQUE: give it, or clear uniqueWindowMinutes too.");
  }
  if (!r.ab_targets.empty()) {
    uint64_t sum = 0;
    for (const AbTarget& t : r.ab_targets) sum += t.percentage;
    if (sum != 100) {
      return Invalid("abTargets percentages must sum to 100 (they sum to " + std::to_string(sum) +
                     ").");
    }
  }
  return Status::Ok();
}

Status CheckLinkPatch(const LinkPatch& patch, Link link) {
  LinkPatch rules = patch;
  rules.password.reset();  // the password plays no part in the checks
  rules.password_hash.reset();
  if (Status s = ApplyLinkPatch(rules, &link); !s.ok()) return s;
  return CheckLinkRules(link);
}

}  // namespace shortlink::admin
