#include "sync/change_follower.h"

#include <algorithm>
#include <random>

#include "common/log.h"
#include "common/options.h"
#include "common/thread_name.h"

namespace shortlink::redirector {
namespace {

using Clock = std::chrono::steady_clock;

long long MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

}  // namespace

ChangeFollower::ChangeFollower(ReplicaStore* store, LinkSink* table,
                               std::unique_ptr<AdminClient> admin, ChangeFollowerOptions options,
                               MetricsRegistry* metrics)
    : store_(store),
      admin_(std::move(admin)),
      options_(std::move(options)),
      applier_(store, table) {
  if (metrics == nullptr) {
    own_metrics_ = std::make_unique<MetricsRegistry>();
    metrics = own_metrics_.get();
  }
  RegisterMetrics(metrics);
}

ChangeFollower::~ChangeFollower() { Stop(); }

void ChangeFollower::RegisterMetrics(MetricsRegistry* m) {
  m->AddCallbackGauge("shortlink_redirector_applied_seq",
                      "Sequence number of the last change applied to this node",
                      [this] { return static_cast<double>(store_->applied_seq()); });
  m->AddCallbackGauge("shortlink_redirector_admin_head_seq",
                      "Newest change sequence number admin-api has shown this node",
                      [this] { return static_cast<double>(head_seq_.load()); });
  m->AddCallbackGauge("shortlink_redirector_sync_lag",
                      "Changes admin-api has shown that this node has not applied yet", [this] {
                        uint64_t head = head_seq_.load(), applied = store_->applied_seq();
                        return head > applied ? static_cast<double>(head - applied) : 0.0;
                      });
  m->AddCallbackGauge("shortlink_redirector_redis_connected",
                      "1 while subscribed to the change channel",
                      [this] { return redis_connected_.load() ? 1.0 : 0.0; });
  m->AddCallbackGauge("shortlink_redirector_admin_reachable",
                      "1 when the last request to admin-api succeeded",
                      [this] { return admin_reachable_.load() ? 1.0 : 0.0; });
  m->AddCallbackGauge("shortlink_redirector_in_sync",
                      "1 when caught up with the change log and following the stream",
                      [this] { return in_sync_.load() ? 1.0 : 0.0; });
  const std::string applied_help = "Changes applied, by where they came from";
  applied_live_ = m->GetCounter("shortlink_redirector_changes_applied_total", applied_help,
                                "source=\"stream\"");
  applied_log_ =
      m->GetCounter("shortlink_redirector_changes_applied_total", applied_help, "source=\"log\"");
  snapshots_ =
      m->GetCounter("shortlink_redirector_snapshots_total", "Full snapshots taken from admin-api");
  gaps_ = m->GetCounter("shortlink_redirector_sync_gaps_total",
                        "Live messages that revealed a lost message (caught up from the log)");
  dropped_messages_ = m->GetCounter(
      "shortlink_redirector_redis_messages_dropped_total",
      "Live messages dropped because the applier was behind (caught up from the log)");
  bad_messages_ = m->GetCounter("shortlink_redirector_redis_messages_bad_total",
                                "Live messages that did not decode");
  admin_errors_ = m->GetCounter("shortlink_redirector_admin_errors_total",
                                "Failed catch-ups or snapshots (admin-api down or refusing)");
}

Status ChangeFollower::Start() {
  if (thread_.joinable()) return MakeError(ErrorCode::kInternal, "follower already started");
  auto started = Clock::now();
  auto loaded = applier_.LoadReplica();
  if (!loaded.ok()) return loaded.error();
  LogInfo("replica loaded", {{"links", std::to_string(loaded->links)},
                             {"applied_seq", std::to_string(store_->applied_seq())},
                             {"ms", std::to_string(MillisSince(started))}});
  if (loaded->corrupt > 0) {
    // Serve what is readable, but replace it all as soon as admin-api answers.
    LogError("replica has corrupt records; a snapshot will replace it",
             {{"corrupt", std::to_string(loaded->corrupt)}});
    force_snapshot_ = true;
  }
  if (store_->initialized()) MarkReady();

  if (options_.redis.enabled()) {
    if (Status checked = options_.redis.Check(); !checked.ok()) return checked;
    RedisSubscriberOptions redis = options_.redis_options;
    redis.redis = options_.redis;
    redis.channel = options_.channel;
    subscriber_ = std::make_unique<RedisSubscriber>(
        std::move(redis), [this](RedisEvent event) { Enqueue(std::move(event)); });
  }
  thread_ = std::thread([this] {
    NameThisThread("sync-follower");
    Run();
  });
  if (subscriber_) subscriber_->Start();
  return Status::Ok();
}

void ChangeFollower::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (subscriber_) subscriber_->Stop();
  admin_->Cancel();  // a snapshot in flight could otherwise take a while
  if (thread_.joinable()) thread_.join();
}

FollowerStatus ChangeFollower::status() const {
  FollowerStatus s;
  s.ready = ready();
  s.applied_seq = store_->applied_seq();
  s.head_seq = head_seq_.load();
  s.redis_connected = redis_connected_.load();
  s.admin_reachable = admin_reachable_.load();
  s.in_sync = in_sync_.load();
  std::lock_guard<std::mutex> lock(error_mu_);
  s.last_error = last_error_;
  return s;
}

void ChangeFollower::MarkReady() {
  if (ready_.exchange(true, std::memory_order_acq_rel)) return;
  if (options_.on_ready) options_.on_ready();
}

void ChangeFollower::Enqueue(RedisEvent event) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    if (event.kind == RedisEvent::Kind::kMessage) {
      // Bounded: an applier stuck in a long snapshot must not let memory
      // grow without end. Whatever is dropped is in the log.
      if (queued_messages_ >= options_.max_buffered_messages) {
        overflowed_ = true;
        dropped_messages_->Add();
        return;
      }
      ++queued_messages_;
    }
    queue_.push_back(std::move(event));
  }
  cv_.notify_one();
}

bool ChangeFollower::WaitFor(Clock::time_point deadline) {
  // Far-future deadlines are capped: some libstdc++ paths overflow on max().
  deadline = std::min(deadline, Clock::now() + std::chrono::hours(1));
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_until(lock, deadline, [this] { return stopping_ || !queue_.empty() || overflowed_; });
  return !stopping_;
}

std::chrono::milliseconds ChangeFollower::NextBackoff() {
  backoff_ =
      backoff_.count() == 0 ? options_.backoff_min : std::min(options_.backoff_max, backoff_ * 2);
  // +-20% jitter so that many nodes do not hammer a recovering admin-api in step.
  static thread_local std::minstd_rand rng(std::random_device{}());
  long spread = backoff_.count() / 5;
  return backoff_ + std::chrono::milliseconds(
                        spread > 0 ? static_cast<long>(rng() % (2 * spread + 1)) - spread : 0);
}

void ChangeFollower::RecordError(const Error& error) {
  admin_errors_->Add();
  if (error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kUnauthorized) {
    admin_reachable_.store(false);
  }
  std::lock_guard<std::mutex> lock(error_mu_);
  if (error.message != last_error_) {  // one line per kind of trouble, not per retry
    LogWarn("sync failed; serving what we have and retrying", {{"error", error.message}});
    last_error_ = error.message;
  }
}

void ChangeFollower::RecordSuccess() {
  admin_reachable_.store(true);
  backoff_ = std::chrono::milliseconds(0);
  std::lock_guard<std::mutex> lock(error_mu_);
  if (!last_error_.empty()) {
    LogInfo("sync recovered", {{"applied_seq", std::to_string(store_->applied_seq())}});
    last_error_.clear();
  }
}

void ChangeFollower::Distrust() {
  stream_trusted_ = false;
  in_sync_.store(false);
  sync_due_ = true;
  retry_at_ = Clock::now();  // at once, whatever the backoff said
}

void ChangeFollower::Run() {
  // The applier thread: the only writer of the table from here on.
  retry_at_ = Clock::now();
  auto next_check = Clock::time_point::max();

  for (;;) {
    std::deque<RedisEvent> events;
    bool overflowed = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      events.swap(queue_);
      queued_messages_ = 0;
      std::swap(overflowed, overflowed_);
    }
    for (auto& event : events) {
      switch (event.kind) {
        case RedisEvent::Kind::kSubscribed:
          // Subscribed first, catch up second: see the header.
          redis_connected_.store(true);
          Distrust();
          break;
        case RedisEvent::Kind::kDisconnected:
          redis_connected_.store(false);
          next_check = std::min(next_check, Clock::now() + options_.poll_interval);
          break;
        case RedisEvent::Kind::kMessage:
          HandleMessage(event.payload);
          break;
      }
    }
    if (overflowed) Distrust();

    auto now = Clock::now();
    if (!sync_due_ && now >= next_check) sync_due_ = true;  // poll, or verify
    if (sync_due_ && now >= retry_at_) {
      Status s = Sync();
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
      }
      if (!s.ok()) {
        RecordError(s.error());
        retry_at_ = Clock::now() + NextBackoff();
        continue;
      }
      RecordSuccess();
      sync_due_ = false;
      if (!stream_trusted_) {
        stream_trusted_ = true;
        // Messages that arrived during the catch-up, in order; those the
        // log already gave are stale and skipped.
        std::deque<std::string> held;
        held.swap(pending_);
        for (const auto& payload : held) HandleMessage(payload);
      }
      in_sync_.store(stream_trusted_);
      bool redis_up = redis_connected_.load();
      next_check = Clock::now() + (redis_up ? options_.verify_interval : options_.poll_interval);
      continue;  // look at the queue again before sleeping
    }
    if (!WaitFor(sync_due_ ? retry_at_ : next_check)) return;
  }
}

void ChangeFollower::HandleMessage(const std::string& payload) {
  if (!stream_trusted_) {
    // Held until the catch-up is done. Past the bound they are dropped: the
    // catch-up that is due covers them anyway.
    if (pending_.size() >= options_.max_buffered_messages) {
      dropped_messages_->Add(pending_.size());
      pending_.clear();
    }
    pending_.push_back(payload);
    return;
  }
  auto change = ReceivedChange::Decode(payload);
  if (!change.ok()) {
    // Its seq is unknown, so whether it mattered is too: ask the log.
    bad_messages_->Add();
    LogWarn("undecodable change message", {{"error", change.error().message}});
    Distrust();
    return;
  }
  if (change->seq > head_seq_.load()) head_seq_.store(change->seq);
  auto outcome = applier_.Apply(*change);
  if (!outcome.ok()) {
    RecordError(outcome.error());
    Distrust();
    retry_at_ = Clock::now() + NextBackoff();  // a replica failing to write: not at once
    return;
  }
  switch (*outcome) {
    case ApplyOutcome::kApplied:
      applied_live_->Add();
      break;
    case ApplyOutcome::kStale:
      break;
    case ApplyOutcome::kGap:
      gaps_->Add();
      LogInfo("gap in the change stream; catching up from the log",
              {{"applied_seq", std::to_string(store_->applied_seq())},
               {"message_seq", std::to_string(change->seq)}});
      Distrust();
      break;
  }
}

Status ChangeFollower::Sync() {
  if (!store_->initialized() || force_snapshot_) {
    Status s = Snapshot();
    if (!s.ok()) return s;
  }
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return MakeError(ErrorCode::kUnavailable, "stopping");
    }
    uint64_t after = store_->applied_seq();
    auto page = admin_->GetChanges(after, options_.page_limit);
    if (!page.ok()) {
      if (page.error().code != ErrorCode::kGone) return page.error();
      LogInfo("change log compacted past this node; taking a snapshot",
              {{"applied_seq", std::to_string(after)}});
      Status s = Snapshot();
      if (!s.ok()) return s;
      continue;
    }
    admin_reachable_.store(true);
    head_seq_.store(page->head_seq);
    if (page->head_seq < after) {
      // admin-api's log is behind what we applied (restored from a backup,
      // or a different deployment): its truth wins, as a whole.
      LogWarn(
          "admin-api is behind this node; taking a snapshot",
          {{"applied_seq", std::to_string(after)}, {"head_seq", std::to_string(page->head_seq)}});
      Status s = Snapshot();
      if (!s.ok()) return s;
      continue;
    }
    if (page->changes.empty()) return Status::Ok();
    auto run = applier_.ApplyRun(page->changes);
    if (!run.ok()) return run.error();
    applied_log_->Add(run->applied);
    if (run->gap || run->applied == 0) {
      return MakeError(ErrorCode::kInternal,
                       "admin-api sent changes that do not follow seq " + std::to_string(after));
    }
    if (store_->applied_seq() >= page->head_seq) return Status::Ok();
  }
}

Status ChangeFollower::Snapshot() {
  auto started = Clock::now();
  std::unique_ptr<ReplicaSnapshotWriter> writer;
  uint64_t seq = 0;
  Status s = admin_->GetSnapshot(
      [&](uint64_t snapshot_seq) -> Status {
        auto begun = applier_.BeginSnapshot();
        if (!begun.ok()) return begun.error();
        writer = std::move(begun).value();
        writer->ReplaceDomains();  // admin-api's domains, none if it sends none
        seq = snapshot_seq;
        return Status::Ok();
      },
      [&](std::string_view record) -> Status { return writer->Add(record); },
      [&](std::string_view record) -> Status { return writer->AddDomain(record); });
  if (!s.ok()) return s;  // destroying the writer drops the half-written family
  if (!writer) return MakeError(ErrorCode::kInternal, "snapshot without a start");
  size_t links = writer->links();
  s = applier_.CommitSnapshot(writer.get(), seq);
  writer.reset();
  if (!s.ok()) return s;
  snapshots_->Add();
  force_snapshot_ = false;
  if (seq > head_seq_.load()) head_seq_.store(seq);
  LogInfo("snapshot applied", {{"links", std::to_string(links)},
                               {"seq", std::to_string(seq)},
                               {"ms", std::to_string(MillisSince(started))}});
  MarkReady();
  return Status::Ok();
}

}  // namespace shortlink::redirector
