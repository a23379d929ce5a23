#include "analytics/analytics_json.h"

#include <chrono>

#include "analytics/analytics_params.h"
#include "common/click_batch.h"
#include "common/clock.h"

namespace shortlink::admin {
namespace {

std::string_view IntervalName(Interval interval) {
  switch (interval) {
    case Interval::kHour:
      return "hour";
    case Interval::kDay:
      return "day";
    case Interval::kMonth:
      return "month";
  }
  return "day";
}

boost::json::array ValuesToJson(const std::vector<ValueCount>& values) {
  boost::json::array out;
  for (const ValueCount& v : values) {
    boost::json::object o;
    o["value"] = v.value;
    o["clicks"] = v.count;
    out.push_back(std::move(o));
  }
  return out;
}

boost::json::object CountsToJson(const LinkAnalytics& a, uint8_t dimension) {
  boost::json::object out;
  if (auto it = a.all.find(dimension); it != a.all.end())
    for (const auto& [value, count] : it->second) out[value] = count;
  return out;
}

// "dd/MM/yyyy" of a period's local start.
std::string ShortenWorldDate(const AnalyticsQuery& q, const Period& p) {
  std::string iso = PeriodLabel(q.zone.ToLocal(p.start), Interval::kDay);  // yyyy-MM-dd
  return iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4);
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

boost::json::object AnalyticsToJson(std::string_view short_url, const AnalyticsQuery& q,
                                    const LinkAnalytics& a) {
  boost::json::object body;
  body["shortUrl"] = short_url;
  body["startTime"] = FormatIso8601Millis(q.start * 1000);
  body["endTime"] = FormatIso8601Millis(q.end * 1000);
  body["interval"] = IntervalName(q.interval);
  body["timezone"] = q.zone.name();
  boost::json::object totals;
  totals["clicks"] = a.clicks;
  totals["unique"] = a.unique;
  totals["bots"] = a.bots;
  body["totals"] = std::move(totals);
  boost::json::array series;
  for (const Period& p : a.series) {
    boost::json::object o;
    o["time"] = p.label;
    o["start"] = FormatIso8601Millis(p.start * 1000);
    o["clicks"] = p.clicks;
    o["unique"] = p.unique;
    o["bots"] = p.bots;
    if (!q.group_by.empty()) {
      boost::json::object groups;
      for (uint8_t d : q.group_by) {
        auto it = p.groups.find(d);
        groups[DimensionName(d)] =
            it == p.groups.end() ? boost::json::array() : ValuesToJson(it->second);
      }
      o["groups"] = std::move(groups);
    }
    series.push_back(std::move(o));
  }
  body["series"] = std::move(series);
  boost::json::object top;
  for (const auto& [dimension, values] : a.top) {
    if (dimension == kClickBot) continue;
    top[DimensionName(dimension)] = ValuesToJson(values);
  }
  body["top"] = std::move(top);
  auto bots = a.top.find(kClickBot);
  body["bots"] = bots == a.top.end() ? boost::json::array() : ValuesToJson(bots->second);
  return body;
}

boost::json::object MetricsMapToJson(const AnalyticsQuery& q, const LinkAnalytics& a,
                                     int64_t now_ms) {
  // By-date maps are made per local day, whatever interval was asked.
  boost::json::object by_source, by_date;
  for (const Period& p : a.series) {
    std::string date = ShortenWorldDate(q, p);
    boost::json::object sources;
    if (auto it = p.groups.find(kClickSource); it != p.groups.end())
      for (const ValueCount& v : it->second) sources[v.value] = v.count;
    by_source[date] = std::move(sources);
    by_date[date] = p.clicks;
  }
  boost::json::object metrics;
  metrics["1"] = std::move(by_source);
  metrics["2"] = CountsToJson(a, kClickDeviceClass);
  metrics["3"] = CountsToJson(a, kClickOs);
  metrics["4"] = CountsToJson(a, kClickBrowser);
  metrics["5"] = CountsToJson(a, kClickBrand);
  metrics["6"] = CountsToJson(a, kClickLanguage);
  metrics["7"] = CountsToJson(a, kClickCountry);
  metrics["8"] = CountsToJson(a, kClickBot);
  metrics["9"] = std::move(by_date);
  boost::json::object status;
  status["code"] = 0;
  status["message"] = "Success";
  status["timestamp"] = FormatIso8601Millis(now_ms);
  boost::json::object body;
  body["status"] = std::move(status);
  body["metricsMap"] = std::move(metrics);
  return body;
}

boost::json::object HeatmapToJson(const AnalyticsQuery& q, const LinkAnalytics& a) {
  boost::json::object body;
  body["timezone"] = q.zone.name();
  body["startTime"] = FormatIso8601Millis(q.start * 1000);
  body["endTime"] = FormatIso8601Millis(q.end * 1000);
  boost::json::array weekdays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                 "Friday", "Saturday", "Sunday"};
  body["weekdays"] = std::move(weekdays);
  boost::json::array rows;
  for (const auto& day : a.heatmap) {
    boost::json::array hours;
    for (uint64_t clicks : day) hours.push_back(clicks);
    rows.push_back(std::move(hours));
  }
  body["heatmap"] = std::move(rows);
  return body;
}

std::string AnalyticsToCsv(const AnalyticsQuery& q, const LinkAnalytics& a) {
  std::string out = "period,dimension,value,clicks\r\n";
  auto line = [&](const std::string& period, std::string_view dimension, std::string_view value,
                  uint64_t clicks) {
    out += CsvField(period) + "," + CsvField(dimension) + "," + CsvField(value) + "," +
           std::to_string(clicks) + "\r\n";
  };
  for (const Period& p : a.series) {
    line(p.label, "clicks", "", p.clicks);
    line(p.label, "unique", "", p.unique);
    line(p.label, "bots", "", p.bots);
    for (uint8_t d : q.group_by) {
      auto it = p.groups.find(d);
      if (it == p.groups.end()) continue;
      for (const ValueCount& v : it->second) line(p.label, DimensionName(d), v.value, v.count);
    }
  }
  return out;
}

}  // namespace shortlink::admin
