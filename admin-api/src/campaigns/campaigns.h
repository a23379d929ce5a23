// Campaigns: every team's campaigns, in RocksDB (Table::kCampaigns) and in
// memory for the routes' reads and the link writer's checks
// (links/campaign_directory.h).
//
// A campaign that links still name is not deleted (kStateConflict, 409):
// deleting it is the caller's choice of which links to move, not ours, and
// clearing them here would rewrite up to a team's every link behind its
// back. The check is exact under concurrent link writes, in three steps
// (campaigns/handlers_campaigns.cc): BeginRemove marks the campaign closing,
// so the writer refuses it from then on; the caller waits until every commit
// queued before has been applied to the link index (an empty submit to the
// link writer, which runs its jobs in order); the index then holds every
// link that will ever name it, and FinishRemove or CancelRemove ends it.
//
// Thread safety: every method may be called from any thread. Changes are
// serialized (write_mu_), and each is durable before it is visible.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "campaigns/campaign.h"
#include "common/result.h"
#include "links/campaign_directory.h"
#include "store/database.h"

namespace shortlink::admin {

class Campaigns : public CampaignDirectory {
 public:
  // Reads every campaign of `db` (not owned; outlives this).
  static Result<std::unique_ptr<Campaigns>> Load(Database* db);

  // A new campaign of `team`; kStateConflict when the team has one of that
  // name (ignoring case). `name` must pass CheckCampaignName.
  Result<Campaign> Create(uint64_t team, std::string name, int64_t now_ms);
  // `team`'s campaign `id`; nullopt for a missing one or another team's.
  std::optional<Campaign> Get(uint64_t team, uint64_t id) const;
  // A page of `team`'s campaigns in id (creation) order whose name holds
  // `search` ignoring case ("" all), and how many match in all.
  std::vector<Campaign> List(uint64_t team, std::string_view search, size_t offset, size_t limit,
                             size_t* total) const;
  // Renames `team`'s campaign `id` (kNotFound, kStateConflict as Create).
  Result<Campaign> Rename(uint64_t team, uint64_t id, std::string name, int64_t now_ms);

  // Deleting, in the steps above. BeginRemove: kNotFound as Get, and
  // kStateConflict while another delete of it is under way.
  Result<Campaign> BeginRemove(uint64_t team, uint64_t id);
  Status FinishRemove(uint64_t id);  // kUnavailable when the write fails (still closing)
  void CancelRemove(uint64_t id);

  bool MayName(uint64_t team, uint64_t campaign) const override;

 private:
  struct Entry {
    Campaign campaign;
    bool closing = false;  // a delete is under way: links may not name it
  };
  explicit Campaigns(Database* db) : db_(db) {}
  // The id of `team`'s campaign named `folded`, other than `except`; 0: none.
  uint64_t NameTaken(uint64_t team, const std::string& folded, uint64_t except) const;
  Status Store(const Campaign& campaign, bool new_id);

  Database* db_;
  std::mutex write_mu_;  // one change at a time: the name check holds until it is stored
  mutable std::shared_mutex mu_;
  std::map<uint64_t, Entry> by_id_;                               // GUARDED_BY(mu_)
  std::map<std::pair<uint64_t, std::string>, uint64_t> by_name_;  // (team, folded) GUARDED_BY(mu_)
  uint64_t next_id_ = 1;                                          // GUARDED_BY(write_mu_)
};

}  // namespace shortlink::admin
