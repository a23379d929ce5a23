// TeamTrackers: every team's retargeting trackers (issue 21) and its
// consent setting, in RocksDB (Table::kTrackers, one JSON record per team)
// and in memory for the routes and for links that copy a team tracker.
//
// A team tracker is a named provider + pixel id (common/tracker.h); a link
// copies it by id (links/link_rules_json.h, "teamTrackerId") at the time
// the link is written, so deleting or changing a team tracker later leaves
// the links that copied it as they are. The consent setting (none, eu,
// always) is copied onto a link with its trackers in the same way.
//
// Thread safety: every method may be called from any thread. Changes are
// serialized (mu_) and each is durable before it is visible.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/tracker.h"
#include "store/database.h"

namespace shortlink::admin {

inline constexpr size_t kMaxTeamTrackers = 100;
inline constexpr size_t kMaxTrackerNameBytes = 100;

struct TeamTracker {
  uint64_t id = 0;   // from 1, per team, never reused
  std::string name;  // the team's label for it; may be empty
  LinkTracker tracker;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

class TeamTrackers {
 public:
  // Reads every team's record of `db` (not owned; outlives this).
  static Result<std::unique_ptr<TeamTrackers>> Load(Database* db);

  // `team`'s trackers in id order.
  std::vector<TeamTracker> List(uint64_t team) const;
  std::optional<TeamTracker> Get(uint64_t team, uint64_t id) const;
  TrackerConsent Consent(uint64_t team) const;

  // `tracker` must pass IsValidPixelId and `name` be at most
  // kMaxTrackerNameBytes (checked by the caller). kStateConflict past
  // kMaxTeamTrackers.
  Result<TeamTracker> Create(uint64_t team, std::string name, LinkTracker tracker, int64_t now_ms);
  // kNotFound for a missing id; the fields given replace the stored ones.
  Result<TeamTracker> Update(uint64_t team, uint64_t id, std::optional<std::string> name,
                             std::optional<LinkTracker> tracker, int64_t now_ms);
  Result<TeamTracker> Remove(uint64_t team, uint64_t id);
  Status SetConsent(uint64_t team, TrackerConsent consent);

 private:
  struct Record {
    TrackerConsent consent = TrackerConsent::kNone;
    uint64_t next_id = 1;
    std::vector<TeamTracker> trackers;  // id order
  };
  explicit TeamTrackers(Database* db) : db_(db) {}
  Status Store(uint64_t team, const Record& record);  // holds mu_

  Database* db_;
  mutable std::mutex mu_;
  std::map<uint64_t, Record> teams_;  // GUARDED_BY(mu_)
};

// The record's JSON, both ways (exposed for tests).
std::string EncodeTrackerRecord(TrackerConsent consent, uint64_t next_id,
                                const std::vector<TeamTracker>& trackers);

}  // namespace shortlink::admin
