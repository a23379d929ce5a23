// ChangeFollower: keeps the node's links in step with admin-api, gap-free,
// whatever is up or down. It owns the applier thread, the only writer of the
// LinkTable and of the replica.
//
// The state machine:
//   start      Start() loads the replica into the table on the caller's
//              thread: a node that has ever synced is ready (serves every
//              link) before it talks to anyone. A brand-new node becomes
//              ready after its first snapshot.
//   catch up   Changes after the applied seq are fetched from admin-api's
//              log, page by page, until it is exhausted. 410 (log compacted
//              past us), a new replica or a corrupt one: take a snapshot,
//              then catch up from its seq.
//   live       Messages from Redis are applied in order. A message with seq
//              <= applied is skipped (log and stream overlap by design); one
//              with seq > applied + 1 means a message was lost: catch up.
//   (re)subscribed  Catch up again. The subscription is confirmed *before*
//              the catch-up, and messages that arrive meanwhile are buffered
//              and drained afterwards, skipping what the log already gave:
//              nothing published between the two is missed.
//   Redis down Keep serving; poll the log every `poll_interval`; the
//              subscriber reconnects with backoff.
//   admin down Keep serving; retry the catch-up with exponential backoff
//              (capped at `backoff_max`); live messages wait in a buffer.
// Even with Redis up the log is checked every `verify_interval`: admin-api
// drops a PUBLISH when its own Redis connection is down, and a lost last
// message would otherwise go unnoticed until the next change.
//
// Thread safety: Start/Stop from one owning thread. status(), ready() and
// the metrics callbacks from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/metrics.h"
#include "common/redis_locator.h"
#include "common/result.h"
#include "sync/change_applier.h"
#include "sync/redis_subscriber.h"
#include "sync/replica_store.h"
#include "upstream/admin_client.h"

namespace shortlink::redirector {

struct ChangeFollowerOptions {
  // Redis: "host:port" or sentinels (common/redis_locator.h); none: no
  // subscription, poll the log only.
  RedisLocator redis;
  std::string channel = kChangesChannel;
  size_t page_limit = 1000;                         // changes per log request
  std::chrono::milliseconds poll_interval{1000};    // log polls while Redis is down
  std::chrono::milliseconds verify_interval{5000};  // log checks while Redis is up
  std::chrono::milliseconds backoff_min{100};       // first retry after an admin failure
  std::chrono::milliseconds backoff_max{5000};      // cap of the exponential backoff
  size_t max_buffered_messages = 100000;            // beyond: dropped, and the log covers them
  RedisSubscriberOptions redis_options;             // redis/channel taken from above
  // Called once, on the applier thread or in Start(), when the table first
  // holds a complete state. May be empty; ready() tells the same.
  std::function<void()> on_ready;
};

// A picture of the follower for /metrics, /healthz and logs.
struct FollowerStatus {
  bool ready = false;
  uint64_t applied_seq = 0;
  uint64_t head_seq = 0;  // newest seq admin-api (log or stream) has shown us
  bool redis_connected = false;
  bool admin_reachable = false;  // the last request to admin-api succeeded
  bool in_sync = false;          // caught up and following the stream (or polling)
  std::string last_error;        // empty when the last attempt succeeded
};

class ChangeFollower {
 public:
  // `store` and `table` are not owned and must outlive the follower; nothing
  // else may write them once Start() was called. For the node's LinkTable,
  // pass a LinkTableSink (table/link_table_sink.h). `metrics` may be null; if
  // not, the follower registers its gauges and counters there, and the
  // registry must not render after the follower is destroyed.
  ChangeFollower(ReplicaStore* store, LinkSink* table, std::unique_ptr<AdminClient> admin,
                 ChangeFollowerOptions options, MetricsRegistry* metrics = nullptr);
  ~ChangeFollower();  // Stop()
  ChangeFollower(const ChangeFollower&) = delete;
  ChangeFollower& operator=(const ChangeFollower&) = delete;

  // Loads the replica into the table (on this thread: about a second per
  // million links), then starts the applier thread and the Redis
  // subscriber. An error means the replica could not be read at all.
  Status Start();
  // Stops both threads; an admin request in flight is aborted.
  void Stop();

  bool ready() const { return ready_.load(std::memory_order_acquire); }
  FollowerStatus status() const;
  // Any thread: `read(seq)` sees the table as of the applied seq, no change
  // half-applied (ChangeApplier::ReadAtAppliedSeq; may call it more than
  // once). For the node's digest.
  ChangeGate::ReadOutcome ReadAtAppliedSeq(const std::function<void(uint64_t seq)>& read) {
    return applier_.ReadAtAppliedSeq(read);
  }

 private:
  void Run();
  void Enqueue(RedisEvent event);                                // subscriber thread
  bool WaitFor(std::chrono::steady_clock::time_point deadline);  // false on stop
  void HandleMessage(const std::string& payload);
  void Distrust();  // a catch-up, at once, before live messages apply again
  Status Sync();    // catch up from the log; snapshot when needed
  Status Snapshot();
  void MarkReady();
  void RecordError(const Error& error);
  void RecordSuccess();
  std::chrono::milliseconds NextBackoff();
  void RegisterMetrics(MetricsRegistry* metrics);

  ReplicaStore* const store_;
  const std::unique_ptr<AdminClient> admin_;
  const ChangeFollowerOptions options_;
  ChangeApplier applier_;
  std::unique_ptr<RedisSubscriber> subscriber_;

  // The hand-over from the subscriber thread.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<RedisEvent> queue_;  // GUARDED_BY(mu_)
  size_t queued_messages_ = 0;    // GUARDED_BY(mu_)
  bool overflowed_ = false;       // GUARDED_BY(mu_): messages were dropped
  bool stopping_ = false;         // GUARDED_BY(mu_)

  // Applier thread only.
  // Live messages are applied only while the stream is trusted: after a
  // catch-up that began once the current subscription was confirmed, and
  // with no gap seen since. A failed periodic check does not end the trust.
  bool stream_trusted_ = false;
  bool sync_due_ = true;  // a catch-up should run at retry_at_
  std::chrono::steady_clock::time_point retry_at_;
  bool force_snapshot_ = false;
  std::deque<std::string> pending_;  // live messages held while a catch-up is due
  std::chrono::milliseconds backoff_{0};

  // Readable from any thread.
  std::atomic<bool> ready_{false};
  std::atomic<uint64_t> head_seq_{0};
  std::atomic<bool> redis_connected_{false};
  std::atomic<bool> admin_reachable_{false};
  std::atomic<bool> in_sync_{false};
  mutable std::mutex error_mu_;
  std::string last_error_;  // GUARDED_BY(error_mu_)

  // Counters; point into `metrics` or into own_metrics_.
  std::unique_ptr<MetricsRegistry> own_metrics_;
  Counter* applied_live_ = nullptr;
  Counter* applied_log_ = nullptr;
  Counter* snapshots_ = nullptr;
  Counter* gaps_ = nullptr;
  Counter* dropped_messages_ = nullptr;
  Counter* bad_messages_ = nullptr;
  Counter* admin_errors_ = nullptr;

  std::thread thread_;
};

}  // namespace shortlink::redirector
