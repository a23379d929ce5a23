// Dispatcher: turns committed link changes and counted clicks into webhook
// deliveries, and delivers them.
//
// Never lost: a delivery is written to Table::kWebhookDeliveries before its
// first attempt, and rewritten after each, so a restart picks up every
// pending one where it was (Start loads them). Link changes come from the
// writer (ChangeListener) only once durable in the change log; the last
// change turned into deliveries is stored with them (kMeta
// "webhook_change_seq"), and Start turns the changes after it into
// deliveries again, so a crash between a commit and its deliveries loses no
// event. Event ids of link changes are made from the change's sequence
// number, so such a replay repeats ids a receiver has seen, never new ones.
// Clicks are the exception: counts held for the next link.clicked batch
// (up to one interval) die with the process.
//
// Retries follow retry_schedule.h. When a delivery has failed for the whole
// window, its subscription is disabled with the reason (GET shows it;
// PATCH enabled=true re-enables it); the rest of its pending deliveries
// fail at their next attempt unless it is re-enabled first. Each webhook's
// log keeps its pending deliveries and the last 100 finished ones.
//
// link.clicked is aggregated: the clicks of every link of a team counted
// during one interval (10 s by default) go out as one event per
// subscription (in pieces of at most 1,000 links), never one per visit.
//
// link.created and link.updated are told apart by the link itself: a new
// link has clicks 0 and updatedAt == createdAt. A link under its maxClicks
// is rewritten by each click batch that counts it (link_service.h): those
// go out as link.updated, with the new clicks.
//
// Threading: one thread runs an io_context holding every delivery's state;
// up to `max_in_flight` requests run at once on it, as coroutines. The
// listener calls (writer thread) and Ping (I/O threads) only append to an
// intake under a mutex and post a wake-up. Log may be called from any
// thread (it reads RocksDB).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "links/change_listener.h"
#include "links/link_index.h"
#include "store/database.h"
#include "webhooks/http_sender.h"
#include "webhooks/retry_schedule.h"
#include "webhooks/subscriptions.h"
#include "webhooks/webhook.h"

namespace shortlink::admin::webhooks {

struct DispatcherOptions {
  RetrySchedule retry;
  int64_t click_interval_ms = 10'000;  // link.clicked: at most one event per interval
  SendLimits limits;
  size_t max_in_flight = 8;  // requests at once
};

class Dispatcher : public ChangeListener, public ClickListener {
 public:
  // Loads the pending deliveries of `db` and starts delivering. `subscriptions`
  // and `index` (to find a clicked link's team) outlive the dispatcher, and
  // the dispatcher outlives the link writer it listens to.
  static Result<std::unique_ptr<Dispatcher>> Start(Database* db, Subscriptions* subscriptions,
                                                   const LinkIndex* index,
                                                   DispatcherOptions options);
  ~Dispatcher() override;  // pending deliveries stay stored for the next start

  void OnCommitted(const Change& change, std::string encoded) override;
  bool WantsClicks() const override { return subscriptions_->wants_clicks(); }
  void OnClicksCounted(std::vector<ClickEntry> clicks) override;

  // Stores a ping event for `webhook` and queues it; answers its event id.
  Result<std::string> Ping(const Webhook& webhook);
  // A page of `webhook`'s deliveries, newest first, and how many it has.
  Result<std::vector<Delivery>> Log(uint64_t webhook, size_t offset, size_t limit,
                                    size_t* total) const;
  // Drops every delivery of `webhook` (deleted), pending ones included.
  void Forget(uint64_t webhook);

  // Deliveries not yet delivered or failed, as the dispatcher holds them
  // (tests wait on it).
  size_t pending() const { return pending_count_.load(); }

  // The body of an event: {"id", "event", "createdAt", "data"}.
  static std::string EventBody(std::string_view event_id, Event event, int64_t created_at_ms,
                               const std::string& data_json);

 private:
  struct Intake {
    std::vector<Change> changes;
    std::vector<std::vector<ClickEntry>> clicks;
    std::vector<Delivery> stored;  // written already (pings): to schedule
    bool woken = false;
  };

  Dispatcher(Database* db, Subscriptions* subscriptions, const LinkIndex* index,
             DispatcherOptions options);
  uint64_t NextNumber();
  void Wake();
  // The rest run on the dispatcher's thread.
  void Drain();
  void TurnChanges(std::vector<Change>& changes, WriteBatch* batch, std::vector<Delivery>* made);
  void CountClicks(std::vector<std::vector<ClickEntry>>& clicks);
  void FlushClicks();
  Delivery MakeDelivery(const Webhook& webhook, std::string event_id, Event event,
                        const std::string& body, int64_t now_ms);
  // `is_new`: not yet counted in pending_count_ (not a retry).
  void Schedule(Delivery delivery, bool is_new = true);
  void Pump();
  boost::asio::awaitable<void> Attempt(Delivery delivery);
  void Finish(const Delivery& delivery);
  void Prune(uint64_t webhook);

  Database* db_;
  Subscriptions* subscriptions_;
  const LinkIndex* index_;
  const DispatcherOptions options_;
  boost::asio::ssl::context tls_;

  std::mutex intake_mu_;
  Intake intake_;  // GUARDED_BY(intake_mu_)
  std::atomic<uint64_t> last_number_{0};
  std::atomic<size_t> pending_count_{0};

  // The dispatcher thread's only.
  std::map<std::string, Delivery> pending_;  // by DeliveryKey, not in flight
  std::multimap<int64_t, std::string> due_;  // next_attempt_ms -> key in pending_
  size_t in_flight_ = 0;
  // code -> clicks counted since clicks_since_ms_ (default domain), while
  // some subscription wants link.clicked.
  std::unordered_map<std::string, uint64_t> clicks_;
  int64_t clicks_since_ms_ = 0;
  bool click_timer_armed_ = false;
  int64_t watermark_written_ms_ = 0;  // when kMeta's change watermark was last written

  boost::asio::io_context ioc_;
  boost::asio::steady_timer wake_timer_;
  boost::asio::steady_timer click_timer_;
  std::thread thread_;
};

}  // namespace shortlink::admin::webhooks
