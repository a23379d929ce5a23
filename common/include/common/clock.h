// Wall-clock time in the units our records use, and its ISO-8601 form.
#pragma once

#include <cstdint>
#include <string>

namespace shortlink {

int64_t NowMillis();  // Unix epoch, milliseconds

// "2022-09-19T03:31:00.131Z": the Go API's createdAt/updatedAt format.
std::string FormatIso8601Millis(int64_t epoch_ms);

}  // namespace shortlink
