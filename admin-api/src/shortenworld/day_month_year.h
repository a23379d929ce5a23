// Shorten World's dates, dd/MM/yyyy ("Expiration link": date), as the
// ISO-8601 instants the rest of the API reads (http/iso8601.h).
//
// A date stands for its first instant, midnight UTC: a link set to expire
// on 31/01/2030 is expired from 2030-01-31T00:00:00Z. (The analytics routes
// read dd/MM/yyyy themselves, in the query's time zone: analytics_params.h.)
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace shortlink::admin::shortenworld {

// "31/01/2030" -> "2030-01-31T00:00:00Z"; 400 naming `field` for any other
// shape and for dates that do not exist (30/02/2030) or are before 1970.
Result<std::string> DayMonthYearToIso(std::string_view text, std::string_view field);

}  // namespace shortlink::admin::shortenworld
