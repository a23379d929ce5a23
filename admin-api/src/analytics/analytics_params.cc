#include "analytics/analytics_params.h"

#include <array>
#include <charconv>
#include <chrono>

#include "common/click_batch.h"
#include "http/iso8601.h"

namespace shortlink::admin {
namespace {

using namespace std::chrono;

constexpr std::array<std::pair<uint8_t, std::string_view>, 11> kNames = {{
    {kClickDeviceClass, "device"},
    {kClickOs, "os"},
    {kClickBrowser, "browser"},
    {kClickBrand, "brand"},
    {kClickLanguage, "language"},
    {kClickCountry, "country"},
    {kClickCity, "city"},
    {kClickReferrerHost, "referrer"},
    {kClickSource, "source"},
    {kClickVisitor, "visitor"},
    {kClickBot, "bots"},
}};

bool Digits(std::string_view s, int* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty() && s[0] != '-';
}

// Local midnight of a civil date, as local seconds; false if no such date.
bool LocalMidnight(int y, int m, int d, int64_t* local) {
  year_month_day ymd{year(y), month(unsigned(m)), day(unsigned(d))};
  if (!ymd.ok() || y < 1970 || y > 2100) return false;
  *local = int64_t(sys_days(ymd).time_since_epoch().count()) * 86'400;
  return true;
}

Error BadTime(std::string_view field) {
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string(field) +
                       " must be a date as dd/MM/yyyy or yyyy-MM-dd, or an ISO 8601 UTC instant "
                       "such as 2026-12-01T00:00:00Z.");
}

}  // namespace

std::string DimensionName(uint8_t dimension) {
  for (const auto& [d, name] : kNames)
    if (d == dimension) return std::string(name);
  return "dimension" + std::to_string(dimension);
}

std::optional<uint8_t> DimensionFromName(std::string_view name) {
  for (const auto& [d, n] : kNames)
    if (n == name) return d;
  return std::nullopt;
}

Result<int64_t> ParseAnalyticsTime(std::string_view text, const TimeZone& zone, bool end_of_day,
                                   std::string_view field) {
  int y = 0, m = 0, d = 0;
  int64_t local = 0;
  bool date = false;
  if (text.size() == 10 && text[2] == '/' && text[5] == '/') {  // dd/MM/yyyy
    date = Digits(text.substr(0, 2), &d) && Digits(text.substr(3, 2), &m) &&
           Digits(text.substr(6, 4), &y) && LocalMidnight(y, m, d, &local);
    if (!date) return BadTime(field);
  } else if (text.size() == 10 && text[4] == '-' && text[7] == '-') {  // yyyy-MM-dd
    date = Digits(text.substr(0, 4), &y) && Digits(text.substr(5, 2), &m) &&
           Digits(text.substr(8, 2), &d) && LocalMidnight(y, m, d, &local);
    if (!date) return BadTime(field);
  }
  if (date) return zone.ToUtc(local + (end_of_day ? 86'400 : 0));
  int64_t ms = 0;
  if (!ParseIso8601Utc(text, &ms)) return BadTime(field);
  return ms / 1000;
}

Result<AnalyticsQuery> ParseAnalyticsQuery(const std::map<std::string, std::string>& params,
                                           int64_t now) {
  AnalyticsQuery q;
  auto get = [&](const char* name) -> const std::string* {
    auto it = params.find(name);
    return it == params.end() || it->second.empty() ? nullptr : &it->second;
  };
  if (const std::string* tz = get("timezone")) {
    auto zone = TimeZone::Load(*tz);
    if (!zone.ok()) return zone.error();
    q.zone = std::move(zone).value();
  }
  if (const std::string* interval = get("interval")) {
    if (*interval == "hour")
      q.interval = Interval::kHour;
    else if (*interval == "day")
      q.interval = Interval::kDay;
    else if (*interval == "month")
      q.interval = Interval::kMonth;
    else
      return MakeError(ErrorCode::kInvalidArgument, "interval must be hour, day or month.");
  }
  q.end = now + 1;
  if (const std::string* end = get("endTime")) {
    auto t = ParseAnalyticsTime(*end, q.zone, /*end_of_day=*/true, "endTime");
    if (!t.ok()) return t.error();
    q.end = *t;
  }
  if (const std::string* start = get("startTime")) {
    auto t = ParseAnalyticsTime(*start, q.zone, /*end_of_day=*/false, "startTime");
    if (!t.ok()) return t.error();
    q.start = *t;
  } else {
    // The last 30 days: today and the 29 before it, from local midnight.
    int64_t local_today = (q.zone.ToLocal(q.end - 1) / 86'400) * 86'400;
    q.start = q.zone.ToUtc(local_today - 29 * 86'400);
  }
  if (q.end <= q.start)
    return MakeError(ErrorCode::kInvalidArgument, "endTime must be after startTime.");
  if (const std::string* group_by = get("groupBy")) {
    std::string_view rest = *group_by;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view name = rest.substr(0, comma);
      auto d = DimensionFromName(name);
      if (!d) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "groupBy takes device, os, browser, brand, language, country, city, "
                         "referrer, source, visitor or bots, separated by commas.");
      }
      q.group_by.push_back(*d);
      rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    }
  }
  if (const std::string* top = get("top")) {
    int n = 0;
    if (!Digits(*top, &n) || n < 1 || n > 100)
      return MakeError(ErrorCode::kInvalidArgument, "top must be a number from 1 to 100.");
    q.top = size_t(n);
  }
  return q;
}

}  // namespace shortlink::admin
