#include "rules/click_policy.h"

#include "rules/bot_detector.h"

namespace shortlink::redirector {

VisitCount CountVisit(VisitEnd end, VisitMethod method, std::string_view user_agent,
                      const UniqueVisitor* unique) {
  if (end != VisitEnd::kDestination) return VisitCount::kNotCounted;
  // HEAD requests and crawlers are not people clicking.
  if (method == VisitMethod::kHead || IsBot(user_agent)) return VisitCount::kBot;
  if (unique &&
      !unique->visitors->FirstVisit(unique->key, unique->now_minute, unique->window_minutes)) {
    return VisitCount::kNotCounted;
  }
  return VisitCount::kClick;
}

}  // namespace shortlink::redirector
