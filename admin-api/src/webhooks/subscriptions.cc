#include "webhooks/subscriptions.h"

#include <algorithm>
#include <set>

#include "accounts/api_key.h"
#include "common/log.h"
#include "store/db_keys.h"

namespace shortlink::admin::webhooks {
namespace {

constexpr std::string_view kNextWebhookId = "next_webhook_id";

Error NoSuchWebhook(uint64_t id) {
  return MakeError(ErrorCode::kNotFound, "Webhook " + std::to_string(id) + " does not exist.");
}

}  // namespace

Result<std::unique_ptr<Subscriptions>> Subscriptions::Load(Database* db) {
  std::unique_ptr<Subscriptions> s(new Subscriptions(db));
  uint64_t highest = 0;
  Status scan = db->Scan(Table::kWebhooks, "", [&](std::string_view key, std::string_view value) {
    uint64_t id = 0;
    if (!dbkey::ParseNumber(key, &id)) return true;
    auto webhook = DecodeWebhook(id, value);
    if (!webhook.ok()) {
      LogError("skipping an unreadable webhook record", {{"detail", webhook.error().message}});
      return true;
    }
    highest = std::max(highest, id);
    s->by_id_[id] = std::move(webhook).value();
    return true;
  });
  if (!scan.ok()) return scan.error();
  s->next_id_ = std::max(highest + 1, db->GetNumber(Table::kMeta, kNextWebhookId));
  std::unique_lock lock(s->mu_);
  s->Recount();
  return s;
}

void Subscriptions::Recount() {
  bool clicks = false;
  for (const auto& [id, w] : by_id_) clicks |= w.enabled && (w.events & kLinkClicked);
  wants_clicks_.store(clicks);
}

Status Subscriptions::Store(const Webhook& webhook, bool new_id) {
  WriteBatch batch(*db_);
  std::string value;
  EncodeWebhook(webhook, &value);
  batch.Put(Table::kWebhooks, dbkey::Number(webhook.id), value);
  if (new_id) batch.Put(Table::kMeta, kNextWebhookId, dbkey::Number(webhook.id + 1));
  return db_->Write(&batch);
}

Result<Webhook> Subscriptions::Create(uint64_t team, std::string url, uint8_t events,
                                      int64_t now_ms) {
  std::lock_guard write(write_mu_);
  Webhook w;
  w.id = next_id_;
  w.team = team;
  w.url = std::move(url);
  w.events = events & kSubscribableEvents;
  w.secret = GenerateSecret("whsec_");
  w.created_at_ms = w.updated_at_ms = now_ms;
  if (Status s = Store(w, /*new_id=*/true); !s.ok()) return s.error();
  ++next_id_;
  std::unique_lock lock(mu_);
  by_id_[w.id] = w;
  Recount();
  return w;
}

std::optional<Webhook> Subscriptions::Get(uint64_t team, uint64_t id) const {
  std::optional<Webhook> w = Get(id);
  if (!w || w->team != team) return std::nullopt;
  return w;
}

std::optional<Webhook> Subscriptions::Get(uint64_t id) const {
  std::shared_lock lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

std::vector<Webhook> Subscriptions::List(uint64_t team, size_t offset, size_t limit,
                                         size_t* total) const {
  std::vector<Webhook> page;
  size_t seen = 0;
  std::shared_lock lock(mu_);
  // A scan of all: teams hold a few webhooks, the deployment some hundreds.
  for (const auto& [id, w] : by_id_) {
    if (w.team != team) continue;
    if (seen >= offset && page.size() < limit) page.push_back(w);
    ++seen;
  }
  *total = seen;
  return page;
}

Result<Webhook> Subscriptions::Update(uint64_t team, uint64_t id, const WebhookPatch& patch,
                                      int64_t now_ms) {
  std::lock_guard write(write_mu_);
  std::optional<Webhook> current = Get(team, id);
  if (!current) return NoSuchWebhook(id);
  Webhook w = std::move(*current);
  if (patch.url) w.url = *patch.url;
  if (patch.events) w.events = *patch.events & kSubscribableEvents;
  if (patch.enabled) {
    w.enabled = *patch.enabled;
    if (w.enabled)
      w.disabled_reason.clear();
    else if (w.disabled_reason.empty())
      w.disabled_reason = "Disabled by PATCH.";
  }
  w.updated_at_ms = now_ms;
  if (Status s = Store(w, /*new_id=*/false); !s.ok()) return s.error();
  std::unique_lock lock(mu_);
  by_id_[id] = w;
  Recount();
  return w;
}

Result<Webhook> Subscriptions::Remove(uint64_t team, uint64_t id) {
  std::lock_guard write(write_mu_);
  std::optional<Webhook> current = Get(team, id);
  if (!current) return NoSuchWebhook(id);
  WriteBatch batch(*db_);
  batch.Delete(Table::kWebhooks, dbkey::Number(id));
  if (Status s = db_->Write(&batch); !s.ok()) return s.error();
  std::unique_lock lock(mu_);
  by_id_.erase(id);
  Recount();
  return std::move(*current);
}

Status Subscriptions::Disable(uint64_t id, std::string reason, int64_t now_ms) {
  std::lock_guard write(write_mu_);
  std::optional<Webhook> current = Get(id);
  if (!current || !current->enabled) return Status::Ok();
  Webhook w = std::move(*current);
  w.enabled = false;
  w.disabled_reason = std::move(reason);
  w.updated_at_ms = now_ms;
  if (Status s = Store(w, /*new_id=*/false); !s.ok()) return s;
  std::unique_lock lock(mu_);
  by_id_[id] = w;
  Recount();
  return Status::Ok();
}

std::vector<Webhook> Subscriptions::Wanting(uint64_t team, Event event) const {
  std::vector<Webhook> out;
  std::shared_lock lock(mu_);
  for (const auto& [id, w] : by_id_)
    if (w.team == team && w.enabled && (w.events & event)) out.push_back(w);
  return out;
}

std::vector<uint64_t> Subscriptions::TeamsWantingClicks() const {
  std::set<uint64_t> teams;
  std::shared_lock lock(mu_);
  for (const auto& [id, w] : by_id_)
    if (w.enabled && (w.events & kLinkClicked)) teams.insert(w.team);
  return {teams.begin(), teams.end()};
}

}  // namespace shortlink::admin::webhooks
