#include "webhooks/dispatcher.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <chrono>

#include "accounts/api_key.h"
#include "common/clock.h"
#include "common/cpu_yield.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "links/link_json.h"
#include "store/db_keys.h"
#include "webhooks/signature.h"

namespace shortlink::admin::webhooks {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kChangeWatermark = "webhook_change_seq";
constexpr size_t kKeptFinished = 100;              // per webhook's log
constexpr size_t kMaxClickedLinksPerEvent = 1000;  // a link.clicked body stays < ~100 KB

// A change's event id: the same however often the change is turned into
// deliveries (a replay at start).
std::string ChangeEventId(uint64_t seq) { return "evt_chg_" + std::to_string(seq); }
std::string RandomEventId() { return "evt_" + RandomCode(20); }

Event EventOf(const Change& change) {
  if (change.op == ChangeOp::kDelete) return kLinkDeleted;
  const Link& l = change.link;
  return l.clicks == 0 && l.created_at_ms == l.updated_at_ms ? kLinkCreated : kLinkUpdated;
}

int64_t MillisUntil(int64_t epoch_ms) { return std::max<int64_t>(0, epoch_ms - NowMillis()); }

}  // namespace

std::string Dispatcher::EventBody(std::string_view event_id, Event event, int64_t created_at_ms,
                                  const std::string& data_json) {
  // Assembled around `data`, serialized once per event, whatever the
  // number of subscriptions it goes to.
  boost::json::object head;
  head["id"] = event_id;
  head["event"] = EventName(event);
  head["createdAt"] = FormatIso8601Millis(created_at_ms);
  std::string body = boost::json::serialize(head);
  body.pop_back();  // the closing brace
  body += ",\"data\":" + data_json + "}";
  return body;
}

Dispatcher::Dispatcher(Database* db, Subscriptions* subscriptions, const LinkIndex* index,
                       DispatcherOptions options)
    : db_(db),
      subscriptions_(subscriptions),
      index_(index),
      options_(std::move(options)),
      tls_(MakeWebhookTlsContext()),
      wake_timer_(ioc_),
      click_timer_(ioc_) {}

Result<std::unique_ptr<Dispatcher>> Dispatcher::Start(Database* db, Subscriptions* subscriptions,
                                                      const LinkIndex* index,
                                                      DispatcherOptions options) {
  std::unique_ptr<Dispatcher> d(new Dispatcher(db, subscriptions, index, std::move(options)));
  // Pending deliveries, as the last run left them.
  uint64_t highest = 0;
  Status scan =
      db->Scan(Table::kWebhookDeliveries, "", [&](std::string_view, std::string_view value) {
        auto delivery = DecodeDelivery(value);
        if (!delivery.ok()) {
          LogError("skipping an unreadable webhook delivery",
                   {{"detail", delivery.error().message}});
          return true;
        }
        highest = std::max(highest, delivery->number);
        if (delivery->state == Delivery::State::kPending) d->Schedule(std::move(delivery).value());
        return true;
      });
  if (!scan.ok()) return scan.error();
  d->last_number_ = highest;
  // Changes committed after the last one turned into deliveries: a crash
  // came between. A database new to webhooks starts from its last change.
  uint64_t watermark = db->GetNumber(Table::kMeta, kChangeWatermark);
  if (watermark == 0) {
    WriteBatch batch(*db);
    batch.Put(Table::kMeta, kChangeWatermark,
              dbkey::Number(db->GetNumber(Table::kMeta, dbkey::kLastSeq)));
    if (Status s = db->Write(&batch); !s.ok()) return s.error();
  } else {
    Cursor it = db->NewCursor(Table::kChanges);
    for (it.Seek(dbkey::Change(watermark + 1)); it.Valid(); it.Next()) {
      auto change = DecodeChange(it.value());
      if (change.ok() && !IsDomainOp(change->op))
        d->intake_.changes.push_back(std::move(change).value());
    }
    if (!it.status().ok()) return it.status().error();
  }
  LogInfo("webhooks started", {{"pending", std::to_string(d->pending_.size())},
                               {"replayed changes", std::to_string(d->intake_.changes.size())}});
  d->clicks_since_ms_ = NowMillis();
  d->Wake();
  d->thread_ = std::thread([raw = d.get()] {
    NameThisThread("webhooks");
    LowerThisThreadPriority();  // deliveries can wait; the edge and the link writer cannot
    auto work = asio::make_work_guard(raw->ioc_);
    raw->ioc_.run();
  });
  return d;
}

Dispatcher::~Dispatcher() {
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
}

uint64_t Dispatcher::NextNumber() { return ++last_number_; }

void Dispatcher::Wake() {
  {
    std::lock_guard lock(intake_mu_);
    if (intake_.woken) return;
    intake_.woken = true;
  }
  asio::post(ioc_, [this] { Drain(); });
}

void Dispatcher::OnCommitted(const Change& change, std::string /*encoded*/) {
  if (IsDomainOp(change.op)) return;
  {
    std::lock_guard lock(intake_mu_);
    intake_.changes.push_back(change);
  }
  Wake();
}

void Dispatcher::OnClicksCounted(std::vector<ClickEntry> clicks) {
  {
    std::lock_guard lock(intake_mu_);
    intake_.clicks.push_back(std::move(clicks));
  }
  Wake();
}

Result<std::string> Dispatcher::Ping(const Webhook& webhook) {
  const int64_t now = NowMillis();
  std::string event_id = RandomEventId();
  boost::json::object data;
  data["webhookId"] = webhook.id;
  data["url"] = webhook.url;
  Delivery d = MakeDelivery(webhook, event_id, kPing,
                            EventBody(event_id, kPing, now, boost::json::serialize(data)), now);
  WriteBatch batch(*db_);
  std::string value;
  EncodeDelivery(d, &value);
  batch.Put(Table::kWebhookDeliveries, DeliveryKey(d.webhook, d.number), value);
  if (Status s = db_->Write(&batch); !s.ok()) return s.error();
  {
    std::lock_guard lock(intake_mu_);
    intake_.stored.push_back(std::move(d));
  }
  Wake();
  return event_id;
}

Delivery Dispatcher::MakeDelivery(const Webhook& webhook, std::string event_id, Event event,
                                  const std::string& body, int64_t now_ms) {
  Delivery d;
  d.webhook = webhook.id;
  d.number = NextNumber();
  d.event_id = std::move(event_id);
  d.event = event;
  d.body = body;
  d.created_at_ms = now_ms;
  d.next_attempt_ms = now_ms;
  return d;
}

void Dispatcher::Drain() {
  Intake in;
  {
    std::lock_guard lock(intake_mu_);
    std::swap(in, intake_);
  }
  if (!in.clicks.empty()) CountClicks(in.clicks);
  for (Delivery& d : in.stored) Schedule(std::move(d));
  if (!in.changes.empty()) {
    WriteBatch batch(*db_);
    std::vector<Delivery> made;
    TurnChanges(in.changes, &batch, &made);
    // Changes no one subscribes to move only the watermark: written at most
    // once a second, so a bulk import without webhooks costs no fsync per
    // commit here. A restart replays at most that second of changes, and
    // finds no one subscribed to them, or a subscription made meanwhile.
    const int64_t now = NowMillis();
    if (made.empty() && now - watermark_written_ms_ < 1000) {
      Pump();
      return;
    }
    watermark_written_ms_ = now;
    if (Status s = db_->Write(&batch); !s.ok()) {
      // Not stored, so not sent: they are still in the change log, after
      // the watermark, and the next start turns them into deliveries.
      LogError("cannot store webhook deliveries", {{"detail", s.error().message}});
    } else {
      for (Delivery& d : made) Schedule(std::move(d));
    }
  }
  Pump();
}

void Dispatcher::TurnChanges(std::vector<Change>& changes, WriteBatch* batch,
                             std::vector<Delivery>* made) {
  const int64_t now = NowMillis();
  uint64_t last_seq = 0;
  std::string value;
  for (const Change& change : changes) {
    last_seq = std::max(last_seq, change.seq);
    const Event event = EventOf(change);
    std::vector<Webhook> wanting = subscriptions_->Wanting(change.link.owner, event);
    if (wanting.empty()) continue;
    std::string event_id = ChangeEventId(change.seq);
    std::string body =
        EventBody(event_id, event, now, boost::json::serialize(LinkToJson(change.link)));
    for (const Webhook& w : wanting) {
      Delivery d = MakeDelivery(w, event_id, event, body, now);
      EncodeDelivery(d, &value);
      batch->Put(Table::kWebhookDeliveries, DeliveryKey(d.webhook, d.number), value);
      made->push_back(std::move(d));
    }
  }
  batch->Put(Table::kMeta, kChangeWatermark, dbkey::Number(last_seq));
}

void Dispatcher::CountClicks(std::vector<std::vector<ClickEntry>>& clicks) {
  if (!subscriptions_->wants_clicks()) return;
  // Summed by code only: the links' teams are looked up once per interval
  // and code at the flush, not once per commit that counted the code.
  for (auto& commit : clicks) {
    for (ClickEntry& entry : commit) {
      // The writer counts clicks on the default domain only so far.
      if (entry.count == 0 || !entry.domain.empty()) continue;
      clicks_[std::move(entry.code)] += entry.count;
    }
  }
  if (!clicks_.empty() && !click_timer_armed_) {
    // First clicks of an interval: the batch goes out when it ends.
    click_timer_armed_ = true;
    click_timer_.expires_after(std::chrono::milliseconds(
        std::max<int64_t>(0, clicks_since_ms_ + options_.click_interval_ms - NowMillis())));
    click_timer_.async_wait([this](boost::system::error_code ec) {
      click_timer_armed_ = false;
      if (!ec) FlushClicks();
    });
  }
}

void Dispatcher::FlushClicks() {
  const int64_t now = NowMillis();
  const int64_t since = clicks_since_ms_;
  clicks_since_ms_ = now;
  std::unordered_map<std::string, uint64_t> counted;
  counted.swap(clicks_);
  std::vector<uint64_t> teams = subscriptions_->TeamsWantingClicks();  // sorted
  std::map<uint64_t, std::vector<std::pair<std::string, uint64_t>>> by_team;
  for (auto& [code, count] : counted) {
    auto target = index_->FindClickTarget(std::string_view(code));  // deleted since: none
    if (target && std::binary_search(teams.begin(), teams.end(), target->owner))
      by_team[target->owner].emplace_back(code, count);
  }
  WriteBatch batch(*db_);
  std::vector<Delivery> made;
  std::string value;
  for (auto& [team, links] : by_team) {
    std::vector<Webhook> wanting = subscriptions_->Wanting(team, kLinkClicked);
    if (wanting.empty()) continue;
    std::sort(links.begin(), links.end());
    auto it = links.begin();
    while (it != links.end()) {
      boost::json::array items;
      for (; it != links.end() && items.size() < kMaxClickedLinksPerEvent; ++it)
        items.push_back(boost::json::object{{"shortUrl", it->first}, {"clicks", it->second}});
      boost::json::object data;
      data["from"] = FormatIso8601Millis(since);
      data["to"] = FormatIso8601Millis(now);
      data["links"] = std::move(items);
      std::string event_id = RandomEventId();
      std::string body = EventBody(event_id, kLinkClicked, now, boost::json::serialize(data));
      for (const Webhook& w : wanting) {
        Delivery d = MakeDelivery(w, event_id, kLinkClicked, body, now);
        EncodeDelivery(d, &value);
        batch.Put(Table::kWebhookDeliveries, DeliveryKey(d.webhook, d.number), value);
        made.push_back(std::move(d));
      }
    }
  }
  if (made.empty()) return;
  if (Status s = db_->Write(&batch); !s.ok()) {
    LogError("cannot store link.clicked deliveries: these clicks go unreported",
             {{"detail", s.error().message}});
    return;
  }
  for (Delivery& d : made) Schedule(std::move(d));
  Pump();
}

void Dispatcher::Schedule(Delivery delivery, bool is_new) {
  std::string key = DeliveryKey(delivery.webhook, delivery.number);
  due_.emplace(delivery.next_attempt_ms, key);
  if (pending_.emplace(std::move(key), std::move(delivery)).second && is_new) ++pending_count_;
}

void Dispatcher::Pump() {
  const int64_t now = NowMillis();
  while (in_flight_ < options_.max_in_flight && !due_.empty() && due_.begin()->first <= now) {
    std::string key = std::move(due_.begin()->second);
    due_.erase(due_.begin());
    auto it = pending_.find(key);
    if (it == pending_.end()) continue;  // forgotten
    Delivery d = std::move(it->second);
    pending_.erase(it);
    ++in_flight_;
    asio::co_spawn(ioc_, Attempt(std::move(d)), asio::detached);
  }
  if (due_.empty() || in_flight_ >= options_.max_in_flight) return;  // an attempt's end pumps
  wake_timer_.expires_after(std::chrono::milliseconds(MillisUntil(due_.begin()->first)));
  wake_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) Pump();
  });
}

asio::awaitable<void> Dispatcher::Attempt(Delivery d) {
  std::optional<Webhook> webhook = subscriptions_->Get(d.webhook);
  if (!webhook) {  // deleted: Forget drops its records
    --in_flight_;
    --pending_count_;
    Pump();
    co_return;
  }
  const int64_t started = NowMillis();
  SendOutcome outcome;
  if (!webhook->enabled) {
    outcome.error = "not sent: the webhook is disabled";
  } else {
    const int64_t timestamp = started / 1000;
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Shortlink-Webhook-Id", d.event_id},
        {"Shortlink-Webhook-Timestamp", std::to_string(timestamp)},
        {"Shortlink-Webhook-Signature", SignatureHeader(webhook->secret, timestamp, d.body)},
        {"Shortlink-Webhook-Event", std::string(EventName(d.event))},
    };
    outcome = co_await PostWebhook(tls_, webhook->url, headers, d.body, options_.limits);
  }
  ++d.attempts;
  d.last_attempt_ms = started;
  d.last_status = outcome.status;
  d.last_error = outcome.delivered() ? std::string() : outcome.error;
  if (outcome.delivered()) {
    d.state = Delivery::State::kDelivered;
  } else if (!webhook->enabled) {
    d.state = Delivery::State::kFailed;
  } else if (auto delay = options_.retry.NextDelayMs(d.attempts, NowMillis() - d.created_at_ms)) {
    d.next_attempt_ms = NowMillis() + *delay;
  } else {
    d.state = Delivery::State::kFailed;
    std::string reason = "Disabled after every attempt to deliver " + d.event_id + " failed for " +
                         std::to_string(options_.retry.window_ms / 1000) + " s (" +
                         std::to_string(d.attempts) + " attempts; last: " + d.last_error +
                         "). PATCH enabled=true re-enables it.";
    if (Status s = subscriptions_->Disable(d.webhook, reason, NowMillis()); !s.ok())
      LogError("cannot disable a failing webhook", {{"detail", s.error().message}});
    LogWarn("webhook disabled", {{"webhook", std::to_string(d.webhook)}, {"reason", reason}});
  }
  --in_flight_;
  Finish(d);
  if (d.state == Delivery::State::kPending) Schedule(std::move(d), /*is_new=*/false);
  Pump();
}

void Dispatcher::Finish(const Delivery& d) {
  // A webhook deleted during the attempt: Forget dropped its records, and
  // this one must not come back.
  if (!subscriptions_->Get(d.webhook)) {
    --pending_count_;
    return;
  }
  WriteBatch batch(*db_);
  std::string value;
  EncodeDelivery(d, &value);
  batch.Put(Table::kWebhookDeliveries, DeliveryKey(d.webhook, d.number), value);
  if (Status s = db_->Write(&batch); !s.ok())
    LogError("cannot store a webhook delivery's attempt", {{"detail", s.error().message}});
  if (d.state != Delivery::State::kPending) {
    --pending_count_;
    Prune(d.webhook);
  }
}

void Dispatcher::Prune(uint64_t webhook) {
  std::vector<std::string> finished;  // oldest first
  Status s = db_->Scan(Table::kWebhookDeliveries, DeliveryPrefix(webhook),
                       [&](std::string_view key, std::string_view value) {
                         auto d = DecodeDelivery(value);
                         if (d.ok() && d->state != Delivery::State::kPending)
                           finished.emplace_back(key);
                         return true;
                       });
  if (!s.ok() || finished.size() <= kKeptFinished) return;
  WriteBatch batch(*db_);
  for (size_t i = 0; i + kKeptFinished < finished.size(); ++i)
    batch.Delete(Table::kWebhookDeliveries, finished[i]);
  if (Status w = db_->Write(&batch); !w.ok())
    LogError("cannot prune a webhook's delivery log", {{"detail", w.error().message}});
}

void Dispatcher::Forget(uint64_t webhook) {
  asio::post(ioc_, [this, webhook] {
    const std::string prefix = DeliveryPrefix(webhook);
    for (auto it = pending_.lower_bound(prefix);
         it != pending_.end() && it->first.starts_with(prefix);) {
      it = pending_.erase(it);
      --pending_count_;
    }
    WriteBatch batch(*db_);
    Status s =
        db_->Scan(Table::kWebhookDeliveries, prefix, [&](std::string_view key, std::string_view) {
          batch.Delete(Table::kWebhookDeliveries, key);
          return true;
        });
    if (s.ok()) s = db_->Write(&batch);
    if (!s.ok())
      LogError("cannot drop a deleted webhook's deliveries", {{"detail", s.error().message}});
  });
}

Result<std::vector<Delivery>> Dispatcher::Log(uint64_t webhook, size_t offset, size_t limit,
                                              size_t* total) const {
  std::vector<Delivery> all;
  Status s = db_->Scan(Table::kWebhookDeliveries, DeliveryPrefix(webhook),
                       [&](std::string_view, std::string_view value) {
                         if (auto d = DecodeDelivery(value); d.ok()) all.push_back(std::move(*d));
                         return true;
                       });
  if (!s.ok()) return s.error();
  *total = all.size();
  std::vector<Delivery> page;
  for (size_t i = offset; i < all.size() && page.size() < limit; ++i)
    page.push_back(std::move(all[all.size() - 1 - i]));
  return page;
}

}  // namespace shortlink::admin::webhooks
