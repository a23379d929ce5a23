// Reading the ISO-8601 instants clients send (API key expiry, link expiry).
// Writing them is FormatIso8601Millis (common/clock.h).
#pragma once

#include <cstdint>
#include <string_view>

namespace shortlink::admin {

// "2030-01-02T03:04:05Z" (a fraction of up to 9 digits and "+00:00" for Z
// allowed; other offsets refused) into Unix epoch milliseconds. False for
// anything else, including impossible dates ("2030-02-30") and leap seconds.
bool ParseIso8601Utc(std::string_view text, int64_t* epoch_ms);

}  // namespace shortlink::admin
