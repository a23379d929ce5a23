#include "nodes/change_publisher.h"

#include <chrono>
#include <optional>

#include "common/log.h"
#include "common/redis_client.h"
#include "common/thread_name.h"

namespace shortlink::admin {
namespace {

// Queue bound: past it the oldest messages go; nodes will see the gap and
// read the change log. Keeps memory flat while Redis is away.
constexpr size_t kMaxQueued = 100000;

// Bounds the connect and each round trip: a Redis that hangs costs the
// queue at most this per attempt, never a writer.
constexpr std::chrono::milliseconds kRedisTimeout{1000};

}  // namespace

ChangePublisher::ChangePublisher(RedisLocator redis, MetricsRegistry* metrics)
    : redis_(std::move(redis)),
      published_(
          metrics->GetCounter("admin_changes_published_total", "Changes published on Redis.")),
      dropped_(metrics->GetCounter(
          "admin_changes_unpublished_total",
          "Changes not published because Redis was unreachable (nodes read them from the log).")) {
  metrics->AddCallbackGauge("admin_redis_connected",
                            "1 when the change publisher is connected to Redis.",
                            [this] { return connected() ? 1.0 : 0.0; });
  if (redis_.enabled()) {
    thread_ = std::thread([this] {
      NameThisThread("change-publish");
      Run();
    });
  }
}

ChangePublisher::~ChangePublisher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ChangePublisher::Publish(std::string encoded_change) {
  if (!redis_.enabled()) return;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kMaxQueued) {
      queue_.pop_front();
      dropped_->Add();
    }
    queue_.push_back(std::move(encoded_change));
  }
  cv_.notify_one();
}

void ChangePublisher::Run() {
  if (Status s = redis_.Check(); !s.ok()) {
    LogError("bad --redis address; changes will not be published",
             {{"redis", redis_.description()}});
    return;
  }
  std::optional<RedisConnection> conn;
  PrimaryMoveCheck moved;  // of conn
  bool retrying = false;   // the queue's head failed once already
  auto backoff = std::chrono::milliseconds(100);
  for (;;) {
    std::deque<std::string> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || !queue_.empty(); });
      if (stopping_ && (queue_.empty() || !conn)) return;
      batch.swap(queue_);
    }
    if (conn && moved.Moved()) {  // nodes subscribe to the primary the sentinels name
      LogWarn("the sentinels name another redis primary; moving",
              {{"redis", redis_.description()}});
      conn.reset();
      connected_.store(false, std::memory_order_relaxed);
    }
    if (!conn) {
      // Asks the sentinels again on each connect: a failover is followed here.
      RedisAddress address;
      auto connected =
          redis_.Connect({.connect_timeout = kRedisTimeout, .io_timeout = kRedisTimeout}, &address);
      if (connected.ok()) {
        conn.emplace(std::move(connected).value());
        moved = PrimaryMoveCheck(redis_, address);
      }
      connected_.store(conn.has_value(), std::memory_order_relaxed);
      if (!conn) {
        dropped_->Add(batch.size());  // nodes notice the gap and read the log
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, backoff, [&] { return stopping_; });
        backoff = std::min(backoff * 2, redis_.RetryCap(std::chrono::milliseconds(2000)));
        continue;
      }
      LogInfo("connected to redis", {{"redis", redis_.description()}});
      backoff = std::chrono::milliseconds(100);
    }
    // Pipeline the whole batch: one round trip for many changes.
    for (const std::string& msg : batch) conn->Append({"PUBLISH", kChangesChannel, msg});
    size_t ok = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!conn->ReadReply().ok()) break;
      ++ok;
    }
    published_->Add(ok);
    if (ok < batch.size()) {
      LogWarn("lost connection to redis", {{"redis", redis_.description()}});
      conn.reset();
      connected_.store(false, std::memory_order_relaxed);
      // The unanswered messages go back to the front of the queue, for one
      // more try on a new connection: after a failover that is the promoted
      // primary, and nodes get them live rather than at their next log
      // check. If the connect fails they are dropped (counted) as usual; one
      // that did reach Redis arrives twice, and nodes skip it by its seq.
      // Only once in a row: a Redis that takes connections and drops them
      // must not keep this thread reconnecting without a pause.
      if (retrying) {
        dropped_->Add(batch.size() - ok);
        retrying = false;
        continue;
      }
      retrying = true;
      std::lock_guard lock(mu_);
      for (size_t i = batch.size(); i > ok; --i) queue_.push_front(std::move(batch[i - 1]));
    } else {
      retrying = false;
    }
  }
}

}  // namespace shortlink::admin
