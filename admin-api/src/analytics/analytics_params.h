// The query parameters of the analytics routes, read into plain values:
// startTime/endTime (ISO 8601, yyyy-MM-dd or Shorten World's dd/MM/yyyy),
// interval, groupBy, timezone, top; the dimension names the API uses.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "analytics/analytics_query.h"
#include "common/result.h"

namespace shortlink::admin {

// "device", "os", "browser", "brand", "language", "country", "city",
// "referrer", "source", "visitor", "bots" for the ClickDimensions; a
// dimension of a newer node is "dimension<N>".
std::string DimensionName(uint8_t dimension);
std::optional<uint8_t> DimensionFromName(std::string_view name);

// A date or instant of the query as Unix seconds in `zone`. A date alone
// (dd/MM/yyyy or yyyy-MM-dd) is its local midnight; `end_of_day` (endTime)
// makes it the next midnight, so an endTime date is counted whole.
Result<int64_t> ParseAnalyticsTime(std::string_view text, const TimeZone& zone, bool end_of_day,
                                   std::string_view field);

// The analytics query of a request's parameters at `now` (Unix seconds):
// default the last 30 days (from the local midnight 29 days ago up to now),
// interval day, UTC, top 10 (1-100).
Result<AnalyticsQuery> ParseAnalyticsQuery(const std::map<std::string, std::string>& params,
                                           int64_t now);

}  // namespace shortlink::admin
