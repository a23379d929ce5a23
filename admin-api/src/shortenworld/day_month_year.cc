#include "shortenworld/day_month_year.h"

#include "http/iso8601.h"

namespace shortlink::admin::shortenworld {

Result<std::string> DayMonthYearToIso(std::string_view text, std::string_view field) {
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + " must be a date as dd/MM/yyyy, like 31/01/2030.");
  };
  if (text.size() != 10 || text[2] != '/' || text[5] != '/') return bad();
  for (size_t i : {0, 1, 3, 4, 6, 7, 8, 9})
    if (text[i] < '0' || text[i] > '9') return bad();
  std::string iso = std::string(text.substr(6, 4)) + "-" + std::string(text.substr(3, 2)) + "-" +
                    std::string(text.substr(0, 2)) + "T00:00:00Z";
  // The ISO reader knows month lengths and leap years; 1970-01-01 itself is
  // the link model's "never", so it is refused like earlier dates.
  int64_t ms = 0;
  if (!ParseIso8601Utc(iso, &ms) || ms <= 0) return bad();
  return iso;
}

}  // namespace shortlink::admin::shortenworld
