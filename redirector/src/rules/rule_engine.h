// Evaluating a link's rules (common/link_rules.h) for one visit, in
// process: no I/O, no lock, no allocation. Links without rules never get
// here; the responder serves them by the plain path.
//
// Order, first match wins:
//   1. expired (now >= expiresAt)       -> expiredUrl, or 410
//   2. click limit reached              -> clickLimitUrl, or 410
//   3. password not (yet) given         -> the password form
//   4. device target for the visitor's device, else the mobile target for
//      any mobile device                -> that target
//   5. A/B targets                      -> the visitor's bucket's target
//   6. otherwise                        -> longUrl
// UTM parameters and the forwarded query apply to 4-6 only: the owner's
// destinations, not the expired or full pages.
//
// Click limits: a node knows the link's clicks as of its last record (admin
// republishes limited links as their clicks are applied) plus the clicks it
// counted itself since. Other nodes' clicks of the last flush interval are
// not yet in that figure: across nodes a limit may overshoot by at most one
// flush interval of clicks (README, "Link rules").
#pragma once

#include <cstdint>
#include <string_view>

#include "common/link.h"
#include "rules/click_policy.h"
#include "rules/visitor_filter.h"
#include "table/edge_rules.h"

namespace shortlink::redirector {

enum class PasswordState { kNotGiven, kAccepted, kRefused };

// What the responder knows of the visit.
struct Visit {
  std::string_view code;
  VisitMethod method = VisitMethod::kGet;
  std::string_view user_agent;
  std::string_view cookie;          // the Cookie field, for the A/B bucket
  std::string_view client_address;  // raw address bytes, for unique clicks
  int64_t now_ms = 0;
  PasswordState password = PasswordState::kNotGiven;
  uint32_t random = 0;  // a fresh random number, for a new visitor's A/B bucket
};

enum class RuleAction {
  kRedirect,      // to `target`
  kGone,          // 410: expired or past its limit, with nowhere to go
  kPasswordForm,  // ask for the password (again, when refused)
};

// Why a link is gone (410), for its page.
enum class GoneReason { kExpired, kClickLimit };
// The sentence a visitor reads: "This link has expired." and so on.
std::string_view GoneReasonText(GoneReason reason);

struct RuleDecision {
  RuleAction action = RuleAction::kRedirect;
  std::string_view target;   // a view into the rules or the entry
  int status = 0;            // the redirect status; 0: the node's default
  bool destination = false;  // one of the owner's destinations (4-6), not a fallback page
  // What the visit counts as (rules/click_policy.h); a click is already
  // counted towards the link's limit.
  VisitCount counted = VisitCount::kNotCounted;
  int ab_bucket = -1;  // >= 0: a new visitor's bucket, to remember in a cookie
  GoneReason gone_reason = GoneReason::kExpired;  // for the 410 page (kGone only)
};

// The A/B cookie: "sl_ab=<bucket 0-99>", scoped to the link's path.
inline constexpr std::string_view kAbCookieName = "sl_ab";
// The bucket in a Cookie field, or -1.
int AbBucketFromCookie(std::string_view cookie);

// Decides the visit's answer. `visitors` is consulted only for UNIQUE links.
RuleDecision EvaluateRules(const EdgeRules& rules, std::string_view long_url, const Visit& visit,
                           VisitorFilter* visitors);

}  // namespace shortlink::redirector
