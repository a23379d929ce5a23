// EdgeRules: a link's rules (common/link_rules.h) as a node holds them,
// beside the link's table entry: the rules as recorded, plus the clicks this
// node has counted since. The table owns them with the entry; the rule
// engine (rules/rule_engine.h) reads them for each visit.
//
// Thread safety: the record's fields are immutable once built; local_clicks
// is counted by any number of request threads (relaxed: the limit is a best
// effort across nodes anyway, see rules/rule_engine.h).
#pragma once

#include <atomic>
#include <cstdint>

#include "common/link.h"

namespace shortlink::redirector {

// A link's rules as a node holds them, beside its table entry.
struct EdgeRules {
  explicit EdgeRules(const Link& link) : rules(link.rules), clicks_at_record(link.clicks) {}

  const LinkRules rules;
  const uint64_t clicks_at_record;                // the link's clicks in the record applied
  mutable std::atomic<uint64_t> local_clicks{0};  // counted by this node since

  bool LimitReached() const {
    return rules.max_clicks != 0 &&
           clicks_at_record + local_clicks.load(std::memory_order_relaxed) >= rules.max_clicks;
  }
};

}  // namespace shortlink::redirector
