#include "http/iso8601.h"

#include <chrono>
#include <string>

namespace shortlink::admin {
namespace {

// `n` decimal digits at `pos` of `text`, or false.
bool ReadDigits(std::string_view text, size_t pos, size_t n, int* out) {
  if (pos + n > text.size()) return false;
  int value = 0;
  for (char c : text.substr(pos, n)) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

}  // namespace

bool ParseIso8601Utc(std::string_view text, int64_t* epoch_ms) {
  int y, mo, d, h, mi, s;
  if (!ReadDigits(text, 0, 4, &y) || text.substr(4, 1) != "-" || !ReadDigits(text, 5, 2, &mo) ||
      text.substr(7, 1) != "-" || !ReadDigits(text, 8, 2, &d) || text.substr(10, 1) != "T" ||
      !ReadDigits(text, 11, 2, &h) || text.substr(13, 1) != ":" || !ReadDigits(text, 14, 2, &mi) ||
      text.substr(16, 1) != ":" || !ReadDigits(text, 17, 2, &s)) {
    return false;
  }
  size_t pos = 19;
  int64_t ms = 0;
  if (text.substr(pos, 1) == ".") {
    size_t start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    size_t n = pos - start;
    if (n == 0 || n > 9) return false;
    for (size_t i = 0; i < 3; ++i) ms = ms * 10 + (i < n ? text[start + i] - '0' : 0);
  }
  // UTC only: an offset would be one more thing for a client to get wrong.
  std::string_view zone = text.substr(pos);
  if (zone != "Z" && zone != "+00:00") return false;
  if (h > 23 || mi > 59 || s > 59) return false;  // no leap second: it has no epoch value
  using namespace std::chrono;
  year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return false;  // "2030-02-30"
  int64_t days = sys_days{date}.time_since_epoch().count();
  *epoch_ms = ((days * 24 + h) * 60 + mi) * 60'000 + s * 1000 + ms;
  return true;
}

}  // namespace shortlink::admin
