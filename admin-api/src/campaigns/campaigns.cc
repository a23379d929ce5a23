#include "campaigns/campaigns.h"

#include "common/log.h"
#include "store/db_keys.h"

namespace shortlink::admin {
namespace {

// The next campaign id, in Table::kMeta beside the other counters: ids are
// never reused, even after the newest campaign is deleted and admin-api
// restarts.
constexpr std::string_view kNextCampaignId = "next_campaign_id";

Error NoSuchCampaign(uint64_t id) {
  return MakeError(ErrorCode::kNotFound, "Campaign " + std::to_string(id) + " does not exist.");
}

Error NameInUse(const std::string& name) {
  return MakeError(ErrorCode::kStateConflict,
                   "Your team already has a campaign named \"" + name + "\".");
}

}  // namespace

Result<std::unique_ptr<Campaigns>> Campaigns::Load(Database* db) {
  std::unique_ptr<Campaigns> campaigns(new Campaigns(db));
  uint64_t highest = 0;
  Status scan = db->Scan(Table::kCampaigns, "", [&](std::string_view key, std::string_view value) {
    uint64_t id = 0;
    if (!dbkey::ParseNumber(key, &id)) return true;
    auto campaign = DecodeCampaign(id, value);
    if (!campaign.ok()) {
      LogError("skipping an unreadable campaign record", {{"detail", campaign.error().message}});
      return true;
    }
    highest = std::max(highest, id);
    campaigns->by_name_[{campaign->team, FoldCampaignName(campaign->name)}] = id;
    campaigns->by_id_[id] = Entry{std::move(campaign).value()};
    return true;
  });
  if (!scan.ok()) return scan.error();
  campaigns->next_id_ = std::max(highest + 1, db->GetNumber(Table::kMeta, kNextCampaignId));
  return campaigns;
}

uint64_t Campaigns::NameTaken(uint64_t team, const std::string& folded, uint64_t except) const {
  std::shared_lock lock(mu_);
  auto it = by_name_.find({team, folded});
  return it == by_name_.end() || it->second == except ? 0 : it->second;
}

Status Campaigns::Store(const Campaign& campaign, bool new_id) {
  WriteBatch batch(*db_);
  std::string value;
  EncodeCampaign(campaign, &value);
  batch.Put(Table::kCampaigns, dbkey::Number(campaign.id), value);
  if (new_id) batch.Put(Table::kMeta, kNextCampaignId, dbkey::Number(campaign.id + 1));
  return db_->Write(&batch);
}

Result<Campaign> Campaigns::Create(uint64_t team, std::string name, int64_t now_ms) {
  std::lock_guard write(write_mu_);
  std::string folded = FoldCampaignName(name);
  if (NameTaken(team, folded, 0)) return NameInUse(name);
  Campaign c{next_id_, team, std::move(name), now_ms, now_ms};
  if (Status s = Store(c, /*new_id=*/true); !s.ok()) return s.error();
  ++next_id_;
  std::unique_lock lock(mu_);
  by_name_[{team, std::move(folded)}] = c.id;
  by_id_[c.id] = Entry{c};
  return c;
}

std::optional<Campaign> Campaigns::Get(uint64_t team, uint64_t id) const {
  std::shared_lock lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second.campaign.team != team) return std::nullopt;
  return it->second.campaign;
}

std::vector<Campaign> Campaigns::List(uint64_t team, std::string_view search, size_t offset,
                                      size_t limit, size_t* total) const {
  std::string needle = FoldCampaignName(search);
  std::vector<Campaign> page;
  size_t seen = 0;
  std::shared_lock lock(mu_);
  // A scan of every campaign: teams hold tens, the deployment some
  // thousands; an index per team can come when that changes.
  for (const auto& [id, entry] : by_id_) {
    const Campaign& c = entry.campaign;
    if (c.team != team) continue;
    if (!needle.empty() && FoldCampaignName(c.name).find(needle) == std::string::npos) continue;
    if (seen >= offset && page.size() < limit) page.push_back(c);
    ++seen;
  }
  *total = seen;
  return page;
}

Result<Campaign> Campaigns::Rename(uint64_t team, uint64_t id, std::string name, int64_t now_ms) {
  std::lock_guard write(write_mu_);
  std::optional<Campaign> current = Get(team, id);
  if (!current) return NoSuchCampaign(id);
  std::string folded = FoldCampaignName(name);
  if (NameTaken(team, folded, id)) return NameInUse(name);
  Campaign c = *current;
  c.name = std::move(name);
  c.updated_at_ms = now_ms;
  if (Status s = Store(c, /*new_id=*/false); !s.ok()) return s.error();
  std::unique_lock lock(mu_);
  by_name_.erase({team, FoldCampaignName(current->name)});
  by_name_[{team, std::move(folded)}] = id;
  by_id_[id].campaign = c;
  return c;
}

Result<Campaign> Campaigns::BeginRemove(uint64_t team, uint64_t id) {
  std::lock_guard write(write_mu_);
  std::unique_lock lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second.campaign.team != team) return NoSuchCampaign(id);
  if (it->second.closing) {
    return MakeError(ErrorCode::kStateConflict,
                     "Campaign " + std::to_string(id) + " is being deleted already.");
  }
  it->second.closing = true;
  return it->second.campaign;
}

Status Campaigns::FinishRemove(uint64_t id) {
  std::lock_guard write(write_mu_);
  WriteBatch batch(*db_);
  batch.Delete(Table::kCampaigns, dbkey::Number(id));
  if (Status s = db_->Write(&batch); !s.ok()) return s;
  std::unique_lock lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return Status::Ok();
  by_name_.erase({it->second.campaign.team, FoldCampaignName(it->second.campaign.name)});
  by_id_.erase(it);
  return Status::Ok();
}

void Campaigns::CancelRemove(uint64_t id) {
  std::unique_lock lock(mu_);
  if (auto it = by_id_.find(id); it != by_id_.end()) it->second.closing = false;
}

bool Campaigns::MayName(uint64_t team, uint64_t campaign) const {
  std::shared_lock lock(mu_);
  auto it = by_id_.find(campaign);
  return it != by_id_.end() && it->second.campaign.team == team && !it->second.closing;
}

}  // namespace shortlink::admin
