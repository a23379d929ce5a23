// Subscriptions: every team's webhooks, in RocksDB (Table::kWebhooks) and in
// memory for the routes and the dispatcher, which asks per event which of a
// team's subscriptions want it.
//
// Thread safety: every method may be called from any thread. Changes are
// serialized (write_mu_) and each is durable before it is visible.
// wants_clicks() is one atomic load: the link writer asks it per commit.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/database.h"
#include "webhooks/webhook.h"

namespace shortlink::admin::webhooks {

// What a PATCH changes; absent fields stay.
struct WebhookPatch {
  std::optional<std::string> url;  // checked by the caller
  std::optional<uint8_t> events;   // idem, not empty
  std::optional<bool> enabled;     // true clears disabled_reason
};

class Subscriptions {
 public:
  static Result<std::unique_ptr<Subscriptions>> Load(Database* db);

  // A new enabled subscription of `team` with a fresh secret (whsec_...).
  Result<Webhook> Create(uint64_t team, std::string url, uint8_t events, int64_t now_ms);
  // `team`'s webhook `id`; nullopt for a missing one or another team's.
  std::optional<Webhook> Get(uint64_t team, uint64_t id) const;
  std::optional<Webhook> Get(uint64_t id) const;  // any team's: for the dispatcher
  std::vector<Webhook> List(uint64_t team, size_t offset, size_t limit, size_t* total) const;
  Result<Webhook> Update(uint64_t team, uint64_t id, const WebhookPatch& patch, int64_t now_ms);
  Result<Webhook> Remove(uint64_t team, uint64_t id);
  // Disables `id` (if still enabled) with `reason`, shown in GET.
  Status Disable(uint64_t id, std::string reason, int64_t now_ms);

  // The enabled subscriptions of `team` that want `event`.
  std::vector<Webhook> Wanting(uint64_t team, Event event) const;
  // The teams with an enabled subscription to link.clicked.
  std::vector<uint64_t> TeamsWantingClicks() const;
  bool wants_clicks() const { return wants_clicks_.load(std::memory_order_relaxed); }

 private:
  explicit Subscriptions(Database* db) : db_(db) {}
  Status Store(const Webhook& webhook, bool new_id);
  void Recount();  // wants_clicks_, under mu_ held exclusively

  Database* db_;
  std::mutex write_mu_;
  mutable std::shared_mutex mu_;
  std::map<uint64_t, Webhook> by_id_;  // GUARDED_BY(mu_)
  uint64_t next_id_ = 1;               // GUARDED_BY(write_mu_)
  std::atomic<bool> wants_clicks_{false};
};

}  // namespace shortlink::admin::webhooks
