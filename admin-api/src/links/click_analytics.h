// ClickAnalytics: the click analytics one commit of the link writer adds
// (issue 20), summed in memory and written into the commit's own WriteBatch,
// beside the node's new watermark: applied exactly once, with the clicks.
//
// A click batch entry may carry its count broken down by dimensions
// (common/click_batch.h). Each (link, hour) the commit names becomes ONE
// merge operand of a packed row (store/packed_counts.h), whatever number of
// entries and dimension values named it, plus one per team day and week,
// and a merge never reads: the commit's cost is a hash lookup per entry, a
// record appended per (entry, dimension value), and a sort per (link,
// hour); nothing for entries without dimensions. Rows and their layout:
// store/analytics_keys.h.
//
// Hours older than the retention go straight to daily rows, so the writer
// never adds to an hour the rollup (analytics/analytics_rollup.h) may be
// moving: the rollup moves only hours before its own, later, cutoff.
//
// Thread safety: the link writer's thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/click_batch.h"
#include "store/write_batch.h"

namespace shortlink::admin {

class ClickAnalytics {
 public:
  // Hours kept hourly (older ones are daily rows): 90 days by default.
  static constexpr uint32_t kDefaultRetentionHours = 90 * 24;

  // `now_hour`: UTC hours since the epoch, the hour of entries that name
  // none; `retention_hours`: see above; `team_weeks_from`: the first week
  // of team-week rows (store/team_weeks.h; none by default).
  ClickAnalytics(uint32_t now_hour, uint32_t retention_hours,
                 uint32_t team_weeks_from = kNoTeamWeeks)
      : now_hour_(now_hour), retention_hours_(retention_hours), team_weeks_from_(team_weeks_from) {}
  static constexpr uint32_t kNoTeamWeeks = ~uint32_t{0};

  // Adds `entry`'s dimensions (none: nothing) for the link `link_key`
  // (dbkey::Link) of `team`.
  void Add(std::string_view link_key, uint64_t team, const ClickEntry& entry);
  // Drops what this commit holds for a link it deletes: the delete's range
  // deletion comes first in the batch, these merges would outlive it.
  void Forget(std::string_view link_key);
  // Deletes the team-week rows of a link `team` made at `created_at_ms`,
  // which is being deleted: the weeks it lived, from team_weeks_from.
  void DeleteTeamWeeks(std::string_view link_key, uint64_t team, int64_t created_at_ms,
                       WriteBatch* wb) const;
  // One merge per row into `wb`: a packed row per (link, hour or day), and
  // the team rows.
  void Write(WriteBatch* wb) const;
  bool empty() const { return links_.empty(); }

 private:
  // One packed row of a link: records appended as they come (unsorted,
  // repeats included), encoded canonically by Write.
  struct PackedRow {
    char kind;  // kPackedHourly or kPackedDaily
    uint32_t time;
    std::string records;
  };
  // A link's rows in this commit: nearly always one or two (the current
  // hour, and the previous one around its end), so a short vector.
  using LinkRows = std::vector<PackedRow>;

  uint32_t now_hour_;
  uint32_t retention_hours_;
  uint32_t team_weeks_from_;
  std::unordered_map<std::string, LinkRows> links_;       // by link key
  std::unordered_map<std::string, uint64_t> team_days_;   // by full 't' row key
  std::unordered_map<std::string, uint64_t> team_weeks_;  // by full 'w' row key
};

}  // namespace shortlink::admin
