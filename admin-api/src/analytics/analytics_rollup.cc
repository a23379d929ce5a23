#include "analytics/analytics_rollup.h"

#include <map>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/cpu_yield.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "store/analytics_keys.h"
#include "store/packed_counts.h"

namespace shortlink::admin {
namespace {

namespace ak = analytics_key;

// The length of kind + link key + 0x00 in an hourly row's key (the link key
// holds one 0x00 itself, between domain and code); 0 when malformed.
size_t LinkPrefixSize(std::string_view key) {
  size_t first = key.find('\0', 1);
  if (first == std::string_view::npos) return 0;
  size_t second = key.find('\0', first + 1);
  return second == std::string_view::npos ? 0 : second + 1;
}

}  // namespace

AnalyticsRollup::AnalyticsRollup(Database* db, uint32_t retention_hours, std::chrono::seconds every)
    : db_(db), retention_hours_(retention_hours), every_(every) {
  thread_ = std::thread([this] {
    NameThisThread("analytics-roll");
    LowerThisThreadPriority();
    Run();
  });
}

AnalyticsRollup::~AnalyticsRollup() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AnalyticsRollup::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const int64_t now_hour = NowMillis() / 3'600'000;
    const int64_t cutoff = now_hour - int64_t(retention_hours_) - 1;
    if (cutoff > 0) {
      auto moved = RollUp(db_, uint32_t(cutoff));
      if (!moved.ok())
        LogError("analytics rollup failed", {{"detail", moved.error().message}});
      else if (*moved > 0)
        LogInfo("analytics rolled up", {{"hour_rows", std::to_string(*moved)}});
    }
    lock.lock();
    cv_.wait_for(lock, every_, [this] { return stopping_; });
  }
}

Result<uint64_t> AnalyticsRollup::RollUp(Database* db, uint32_t cutoff_hour,
                                         size_t rows_per_write) {
  uint64_t moved = 0;
  // The packed hours, then the per-value hours an earlier release wrote:
  // both into packed days.
  for (char kind : {ak::kPackedHourly, ak::kHourly}) {
    auto kind_moved = RollUpKind(db, kind, cutoff_hour, rows_per_write);
    if (!kind_moved.ok()) return kind_moved;
    moved += *kind_moved;
  }
  return moved;
}

Result<uint64_t> AnalyticsRollup::RollUpKind(Database* db, char kind, uint32_t cutoff_hour,
                                             size_t rows_per_write) {
  const bool packed = ak::IsPacked(kind);
  uint64_t moved = 0;
  // A link's moved hours by day, as records (store/packed_counts.h): each
  // day becomes one merge into its packed daily row, in the write that
  // deletes the hours.
  std::map<uint32_t, std::string> days;
  std::vector<PackedEntry> entries;
  std::string value;
  // Resumes after the last link a write finished, with a fresh cursor (the
  // old one would still see the rows it deleted).
  std::string from(1, kind);
  const std::string end(1, char(kind + 1));
  for (;;) {
    WriteBatch wb(*db);
    size_t rows = 0;
    std::string resume, last_link;
    auto add_days = [&] {
      for (const auto& [day, records] : days) {
        EncodeCanonical(records, &entries, &value);
        if (!value.empty())
          wb.Merge(Table::kAnalytics, ak::TimeKey(ak::kPackedDaily, last_link, day), value);
      }
      days.clear();
    };
    Cursor cursor = db->NewCursor(Table::kAnalytics, nullptr, Database::ReadPattern::kLong);
    cursor.Seek(from);
    while (cursor.Valid()) {
      std::string_view key = cursor.key();
      if (key.compare(end) >= 0) break;
      size_t prefix = LinkPrefixSize(key);
      ak::RowTail row;
      const bool parsed =
          prefix != 0 && (packed ? ak::ParsePackedTail(key.substr(prefix), &row.time)
                                 : ak::ParseRowTail(key.substr(prefix), &row));
      if (!parsed) {
        cursor.Next();
        continue;
      }
      std::string_view link_key = key.substr(1, prefix - 2);
      if (link_key != last_link) {
        add_days();
        // A write ends between links, so a resumed pass starts on a whole one.
        if (rows >= rows_per_write) {
          resume = std::string(key.substr(0, prefix));
          break;
        }
        last_link = std::string(link_key);
      }
      if (row.time >= cutoff_hour) {
        // This link's recent hours stay: on to the next link.
        std::string next = ak::LinkPrefix(kind, link_key);
        next.back() = '\x01';
        cursor.Seek(next);
        continue;
      }
      std::string& records = days[row.time / 24];
      if (packed) {
        // Records concatenate; a malformed value counts nothing, here too.
        entries.clear();
        if (ReadPacked(cursor.value(), &entries)) records.append(cursor.value());
      } else {
        AppendPackedRecord(row.dimension, row.value, ak::ParseCount(cursor.value()), &records);
      }
      wb.Delete(Table::kAnalytics, key);
      ++rows;
      cursor.Next();
    }
    if (!cursor.status().ok()) return cursor.status().error();
    add_days();
    if (rows > 0) {
      if (Status s = db->Write(&wb); !s.ok()) return s.error();
      moved += rows;
    }
    if (resume.empty()) return moved;
    from = std::move(resume);
  }
}

}  // namespace shortlink::admin
