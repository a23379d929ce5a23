#include "usage/month.h"

#include <algorithm>

namespace shortlink::admin::usage {
namespace {

constexpr int64_t kSecondsPerDay = 86'400;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 of a civil date, and back (Howard Hinnant's
// days_from_civil / civil_from_days, proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* year, unsigned* month) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int64_t>(yoe) + era * 400 + (*month <= 2);
}

int64_t StartOf(Month month) {
  return DaysFromCivil(month / 12, month % 12 + 1, 1) * kSecondsPerDay;
}

}  // namespace

Month MonthOf(int64_t unix_seconds) {
  int64_t year;
  unsigned month;
  CivilFromDays(FloorDiv(unix_seconds, kSecondsPerDay), &year, &month);
  return static_cast<Month>(std::max<int64_t>(0, year * 12 + month - 1));
}

std::string FormatMonth(Month month) {
  std::string year = std::to_string(month / 12);
  std::string text(year.size() < 4 ? 4 - year.size() : 0, '0');
  text += year;
  unsigned m = month % 12 + 1;
  text += m < 10 ? "-0" : "-";
  text += std::to_string(m);
  return text;
}

std::optional<Month> ParseMonth(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  unsigned year = 0, month = 0;
  for (size_t i = 0; i < 7; ++i) {
    if (i == 4) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    unsigned digit = static_cast<unsigned>(text[i] - '0');
    if (i < 4)
      year = year * 10 + digit;
    else
      month = month * 10 + digit;
  }
  if (year < 1970 || month < 1 || month > 12) return std::nullopt;
  return year * 12 + month - 1;
}

int64_t SecondsToNextMonth(int64_t unix_seconds) {
  return std::max<int64_t>(1, StartOf(MonthOf(unix_seconds) + 1) - unix_seconds);
}

}  // namespace shortlink::admin::usage
