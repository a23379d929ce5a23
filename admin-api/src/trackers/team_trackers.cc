#include "trackers/team_trackers.h"

#include <boost/json.hpp>

#include "common/log.h"
#include "store/db_keys.h"
#include "store/write_batch.h"

namespace shortlink::admin {
namespace {

Error NoSuchTracker(uint64_t id) {
  return MakeError(ErrorCode::kNotFound, "Tracker " + std::to_string(id) + " does not exist.");
}

// A stored record, checked as a request is: an id that fails its pattern
// now is dropped, never rendered.
Status DecodeRecord(std::string_view bytes, TrackerConsent* consent, uint64_t* next_id,
                    std::vector<TeamTracker>* trackers) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(bytes, ec);
  if (ec || !v.is_object()) return MakeError(ErrorCode::kInternal, "bad tracker record");
  const boost::json::object& o = v.as_object();
  if (auto* c = o.if_contains("consent"); c && c->is_string())
    ParseTrackerConsent(std::string_view(c->as_string()), consent);
  if (auto* n = o.if_contains("next"); n && n->is_int64()) *next_id = n->as_int64();
  if (auto* list = o.if_contains("trackers"); list && list->is_array()) {
    for (const boost::json::value& item : list->as_array()) {
      if (!item.is_object()) continue;
      const boost::json::object& t = item.as_object();
      TeamTracker tracker;
      auto str = [&](const char* key) -> std::string_view {
        auto* f = t.if_contains(key);
        return f && f->is_string() ? std::string_view(f->as_string()) : std::string_view();
      };
      auto num = [&](const char* key) -> int64_t {
        auto* f = t.if_contains(key);
        return f && f->is_int64() ? f->as_int64() : 0;
      };
      tracker.id = static_cast<uint64_t>(num("id"));
      tracker.name = str("name");
      tracker.created_at_ms = num("createdAt");
      tracker.updated_at_ms = num("updatedAt");
      tracker.tracker.pixel_id = str("pixelId");
      if (tracker.id == 0 || !ParseTrackerProvider(str("provider"), &tracker.tracker.provider) ||
          !IsValidPixelId(tracker.tracker.provider, tracker.tracker.pixel_id)) {
        LogError("skipping an unreadable team tracker", {{"id", std::to_string(tracker.id)}});
        continue;
      }
      *next_id = std::max(*next_id, tracker.id + 1);
      trackers->push_back(std::move(tracker));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeTrackerRecord(TrackerConsent consent, uint64_t next_id,
                                const std::vector<TeamTracker>& trackers) {
  boost::json::array list;
  for (const TeamTracker& t : trackers) {
    list.push_back({{"id", t.id},
                    {"name", t.name},
                    {"provider", TrackerProviderName(t.tracker.provider)},
                    {"pixelId", t.tracker.pixel_id},
                    {"createdAt", t.created_at_ms},
                    {"updatedAt", t.updated_at_ms}});
  }
  return boost::json::serialize(boost::json::object{
      {"consent", TrackerConsentName(consent)}, {"next", next_id}, {"trackers", std::move(list)}});
}

Result<std::unique_ptr<TeamTrackers>> TeamTrackers::Load(Database* db) {
  std::unique_ptr<TeamTrackers> store(new TeamTrackers(db));
  Status scan = db->Scan(Table::kTrackers, "", [&](std::string_view key, std::string_view value) {
    uint64_t team = 0;
    if (!dbkey::ParseNumber(key, &team)) return true;
    Record record;
    if (Status s = DecodeRecord(value, &record.consent, &record.next_id, &record.trackers);
        !s.ok()) {
      LogError("skipping an unreadable tracker record", {{"team", std::to_string(team)}});
      return true;
    }
    store->teams_[team] = std::move(record);
    return true;
  });
  if (!scan.ok()) return scan.error();
  return store;
}

std::vector<TeamTracker> TeamTrackers::List(uint64_t team) const {
  std::lock_guard lock(mu_);
  auto it = teams_.find(team);
  return it == teams_.end() ? std::vector<TeamTracker>() : it->second.trackers;
}

std::optional<TeamTracker> TeamTrackers::Get(uint64_t team, uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = teams_.find(team);
  if (it == teams_.end()) return std::nullopt;
  for (const TeamTracker& t : it->second.trackers)
    if (t.id == id) return t;
  return std::nullopt;
}

TrackerConsent TeamTrackers::Consent(uint64_t team) const {
  std::lock_guard lock(mu_);
  auto it = teams_.find(team);
  return it == teams_.end() ? TrackerConsent::kNone : it->second.consent;
}

Status TeamTrackers::Store(uint64_t team, const Record& record) {
  WriteBatch batch(*db_);
  batch.Put(Table::kTrackers, dbkey::Number(team),
            EncodeTrackerRecord(record.consent, record.next_id, record.trackers));
  return db_->Write(&batch);
}

Result<TeamTracker> TeamTrackers::Create(uint64_t team, std::string name, LinkTracker tracker,
                                         int64_t now_ms) {
  std::lock_guard lock(mu_);
  Record record = teams_[team];
  if (record.trackers.size() >= kMaxTeamTrackers)
    return MakeError(ErrorCode::kStateConflict, "A team may have at most " +
                                                    std::to_string(kMaxTeamTrackers) +
                                                    " trackers; delete one first.");
  TeamTracker t{record.next_id++, std::move(name), std::move(tracker), now_ms, now_ms};
  record.trackers.push_back(t);
  if (Status s = Store(team, record); !s.ok()) return s.error();
  teams_[team] = std::move(record);
  return t;
}

Result<TeamTracker> TeamTrackers::Update(uint64_t team, uint64_t id,
                                         std::optional<std::string> name,
                                         std::optional<LinkTracker> tracker, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = teams_.find(team);
  if (it == teams_.end()) return NoSuchTracker(id);
  Record record = it->second;
  for (TeamTracker& t : record.trackers) {
    if (t.id != id) continue;
    if (name) t.name = std::move(*name);
    if (tracker) t.tracker = std::move(*tracker);
    t.updated_at_ms = now_ms;
    TeamTracker updated = t;
    if (Status s = Store(team, record); !s.ok()) return s.error();
    it->second = std::move(record);
    return updated;
  }
  return NoSuchTracker(id);
}

Result<TeamTracker> TeamTrackers::Remove(uint64_t team, uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = teams_.find(team);
  if (it == teams_.end()) return NoSuchTracker(id);
  Record record = it->second;
  for (size_t i = 0; i < record.trackers.size(); ++i) {
    if (record.trackers[i].id != id) continue;
    TeamTracker removed = record.trackers[i];
    record.trackers.erase(record.trackers.begin() + static_cast<std::ptrdiff_t>(i));
    if (Status s = Store(team, record); !s.ok()) return s.error();
    it->second = std::move(record);
    return removed;
  }
  return NoSuchTracker(id);
}

Status TeamTrackers::SetConsent(uint64_t team, TrackerConsent consent) {
  std::lock_guard lock(mu_);
  Record record = teams_[team];
  record.consent = consent;
  if (Status s = Store(team, record); !s.ok()) return s;
  teams_[team] = std::move(record);
  return Status::Ok();
}

}  // namespace shortlink::admin
