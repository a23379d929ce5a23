// GoGoWorx's overage charge (../shared/reference/gogoworx-api-overview.txt,
// "API Message Quota"): the included requests are free; each started
// 100,000 above them costs $3.50. 320,000 calls with 50,000 included:
// 270,000 above, three started blocks, $10.50.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>

namespace shortlink::admin::usage {

inline constexpr uint64_t kDefaultIncluded = 50'000;
inline constexpr uint64_t kOverageBlock = 100'000;
inline constexpr uint64_t kCentsPerOverageBlock = 350;

// The charge in US cents for `requests` in one month with `included` free.
// Cents, not dollars: whole numbers add and compare exactly.
constexpr uint64_t OverageCents(uint64_t requests, uint64_t included = kDefaultIncluded) {
  if (requests <= included) return 0;
  uint64_t above = requests - included;
  return (above + kOverageBlock - 1) / kOverageBlock * kCentsPerOverageBlock;
}

}  // namespace shortlink::admin::usage
