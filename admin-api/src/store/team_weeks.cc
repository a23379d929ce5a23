#include "store/team_weeks.h"

#include "store/analytics_keys.h"
#include "store/db_keys.h"
#include "store/write_batch.h"

namespace shortlink::admin {

Result<uint32_t> LoadTeamWeeksFrom(Database* db, uint32_t today) {
  auto stored = db->Get(Table::kMeta, dbkey::kAnalyticsTeamWeeksFrom);
  if (!stored.ok()) return stored.error();
  if (stored->has_value())
    return uint32_t(db->GetNumber(Table::kMeta, dbkey::kAnalyticsTeamWeeksFrom));

  bool had_team_rows = false;
  Status scanned = db->Scan(Table::kAnalytics, std::string(1, analytics_key::kTeamDay),
                            [&](std::string_view, std::string_view) {
                              had_team_rows = true;
                              return false;
                            });
  if (!scanned.ok()) return scanned.error();
  const uint32_t from = analytics_key::WeekOf(today) + (had_team_rows ? 1 : 0);
  WriteBatch wb(*db);
  wb.Put(Table::kMeta, dbkey::kAnalyticsTeamWeeksFrom, dbkey::Number(from));
  Status written = db->Write(&wb);
  if (!written.ok()) return written.error();
  return from;
}

}  // namespace shortlink::admin
