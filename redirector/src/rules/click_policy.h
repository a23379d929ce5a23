// The click policy: does a visit count, and as what. Every visit the edge
// serves goes through CountVisit, a plain link's as much as a ruled one's,
// so that the two paths cannot drift apart again (before this file the
// worker decided for plain links and the rule engine for ruled ones, and
// HEAD and bot hits of ruled links reached no metric).
//
//   not at a destination (a miss, a fallback, a form, an error) -> not counted
//   HEAD, or a known bot or previewer (rules/bot_detector.h)    -> a bot hit
//   a unique-clicks link's visitor already counted in its window -> not counted
//   otherwise (GET, or the POST of an accepted password)        -> a click
//
// A click goes to redirector_clicks_total and into the click batches sent
// to admin-api (ThreadClicks::Record); a bot hit to redirector_bot_hits_total
// only (ThreadClicks::RecordBot). The caller bumps the metric the answer names.
//
// Allocation-free and lock-free: it runs on every request. Thread safety:
// any number of threads (the VisitorFilter is itself lock-free).
#pragma once

#include <cstdint>
#include <string_view>

#include "rules/visitor_filter.h"

namespace shortlink::redirector {

// The request's method, as far as the policy and the rules care. The edge
// maps its request head's method onto it (a method other than these never
// reaches a link).
enum class VisitMethod { kGet, kHead, kPost };

// What a visit counts as, and so which metric it bumps.
enum class VisitCount : uint8_t {
  kNotCounted,
  kClick,  // redirector_clicks_total, and a click sent to admin-api
  kBot,    // redirector_bot_hits_total
};

// Where the visit ended.
enum class VisitEnd : uint8_t {
  kElsewhere,    // no redirect to the owner's destination
  kDestination,  // redirected to one of the owner's destinations (a plain link's target)
};

// For links that count unique clicks: the node's memory of visitors and
// this visitor's key (rules/rule_engine.cc hashes code, address and agent).
struct UniqueVisitor {
  VisitorFilter* visitors = nullptr;
  uint64_t key = 0;
  int64_t now_minute = 0;
  uint32_t window_minutes = 0;
};

// The policy above. `unique` is null for links that count every click; the
// filter is consulted (and records the visitor) only for a person's visit
// to a destination.
VisitCount CountVisit(VisitEnd end, VisitMethod method, std::string_view user_agent,
                      const UniqueVisitor* unique = nullptr);

}  // namespace shortlink::redirector
