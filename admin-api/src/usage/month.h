// UTC calendar months, the period GoGoWorx's quota counts in: which month
// an instant falls in, "YYYY-MM" both ways, and how long until the next one
// (a blocked team's Retry-After).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shortlink::admin::usage {

// A month as year * 12 + (month - 1): consecutive months are consecutive
// numbers, and the number sorts as the months do.
using Month = uint32_t;

// The UTC month of `unix_seconds` (seconds since 1970-01-01T00:00:00Z).
Month MonthOf(int64_t unix_seconds);

// "2026-12" for December 2026.
std::string FormatMonth(Month month);

// The month "YYYY-MM" names (years 1970 to 9999, months 01 to 12); none for
// anything else.
std::optional<Month> ParseMonth(std::string_view text);

// Whole seconds from `unix_seconds` to the start of the next UTC month
// (at least 1).
int64_t SecondsToNextMonth(int64_t unix_seconds);

}  // namespace shortlink::admin::usage
