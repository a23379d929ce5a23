// Building a rule link's Location: the target URL with the link's UTM
// parameters and, when asked, the visitor's query string merged into its
// query, without allocating.
//
// Merge order and precedence, so that no parameter appears twice:
//   1. the target's own parameters, except utm_* ones the link sets
//      (the link's campaign tags are the owner's latest word);
//   2. the link's utm_source, utm_medium, utm_campaign, utm_term and
//      utm_content, percent-encoded;
//   3. the visitor's parameters whose names are not already present
//      (a visitor cannot override what the owner put in the target).
// The target's fragment stays last. A visitor parameter holding a byte that
// may not appear in a header, or one that would not fit in `capacity`, is
// left out; the target and UTM always fit (admin-api bounds them).
#pragma once

#include <cstddef>
#include <string_view>

#include "common/link_rules.h"

namespace shortlink::redirector {

inline constexpr size_t kMaxLocationBytes = 4096;

// Writes the Location into `out` (at least `capacity` bytes, at least
// kMaxLocationBytes) and returns its length. `utm` may be null.
size_t BuildLocation(std::string_view target, const UtmParameters* utm,
                     std::string_view visitor_query, char* out, size_t capacity);

}  // namespace shortlink::redirector
