#include "nodes/click_consumer.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "common/click_batch.h"
#include "common/clock.h"
#include "common/cpu_yield.h"
#include "common/log.h"
#include "common/protocol.h"
#include "common/redis_stream.h"
#include "common/thread_name.h"

namespace shortlink::admin {
namespace {

constexpr size_t kReadCount = 256;                // entries per XREADGROUP
constexpr std::chrono::milliseconds kBlock{500};  // how long XREADGROUP waits; bounds shutdown time
constexpr std::chrono::milliseconds kRedisTimeout{2000};  // connect and each command; above kBlock
// How far behind click work may fall while it is paced, giving way to
// everything else on a busy machine (links/link_service.h): once the oldest
// batch read waited longer in the stream, it runs at full speed until it
// has caught up. One flush interval of the nodes: link rules' click limits
// learn other nodes' clicks at most this much later (README).
constexpr std::chrono::milliseconds kMaxPacedLag{1000};

// How long the oldest of `entries` waited in the stream (Redis's clock
// against ours: skew shows as lag, and then clicks are merely not paced).
std::chrono::milliseconds OldestWait(const std::vector<StreamEntry>& entries) {
  int64_t oldest = INT64_MAX;
  for (const StreamEntry& entry : entries) oldest = std::min(oldest, entry.AddedMillis());
  return std::chrono::milliseconds(std::max<int64_t>(0, NowMillis() - oldest));
}

}  // namespace

ClickConsumer::ClickConsumer(RedisLocator redis, LinkService* links, MetricsRegistry* metrics)
    : redis_(std::move(redis)),
      links_(links),
      batches_(metrics->GetCounter("admin_click_batches_total",
                                   "Click batches applied (duplicates included).")),
      refused_(metrics->GetCounter(
          "admin_click_batches_refused_total",
          "Click batches refused (unreadable or out of order); nodes resend in order.")),
      lag_ms_(metrics->GetGauge("admin_click_lag_milliseconds",
                                "How long the oldest click batch of the last read waited in the "
                                "stream (0 when the read found none).")),
      catch_ups_(metrics->GetCounter(
          "admin_click_catch_ups_total",
          "Times click work fell over a second behind the stream and stopped pacing itself.")),
      paced_(metrics->GetGauge("admin_click_work_paced",
                               "1 while click work is paced (it keeps up), 0 while it runs at "
                               "full speed to catch up.")) {
  if (redis_.enabled()) {
    thread_ = std::thread([this] {
      NameThisThread("click-consumer");
      LowerThisThreadPriority();
      Run();
    });
  }
}

ClickConsumer::~ClickConsumer() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void ClickConsumer::Run() {
  if (!redis_.Check().ok()) return;
  std::optional<RedisConnection> conn;
  PrimaryMoveCheck moved;    // of conn: nodes send clicks to the primary the sentinels name
  bool read_pending = true;  // after (re)connecting, first re-read what was delivered but not acked
  auto backoff = std::chrono::milliseconds(100);
  CpuYield cpu_yield;  // decoding a read of batches for 100,000 links takes milliseconds
  while (!stopping_) {
    if (conn && moved.Moved()) {
      LogWarn("the sentinels name another redis primary; moving",
              {{"redis", redis_.description()}});
      conn.reset();
    }
    if (!conn) {
      // Asks the sentinels again on each connect: a failover is followed here.
      RedisAddress address;
      auto connected =
          redis_.Connect({.connect_timeout = kRedisTimeout, .io_timeout = kRedisTimeout}, &address);
      if (!connected.ok()) {
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, redis_.RetryCap(std::chrono::milliseconds(2000)));
        continue;
      }
      conn.emplace(std::move(connected).value());
      moved = PrimaryMoveCheck(redis_, address);
      backoff = std::chrono::milliseconds(100);
      // From 0: entries written before the group existed are read too (duplicates are harmless).
      if (!EnsureConsumerGroup(*conn, kClickStream, kClickConsumerGroup).ok()) {
        conn.reset();
        std::this_thread::sleep_for(backoff);  // refused (a replica?): not in a tight loop
        continue;
      }
      read_pending = true;
    }
    auto read = ReadGroup(*conn, {.stream = kClickStream,
                                  .group = kClickConsumerGroup,
                                  .consumer = kClickConsumerName,
                                  .count = kReadCount,
                                  .block = kBlock,
                                  .pending = read_pending});
    if (!read.ok() ||
        read->refused.starts_with("NOGROUP")) {  // Redis gone, or restarted without our group
      if (read.ok()) LogWarn("click stream group missing; recreating it");
      conn.reset();
      continue;
    }
    if (read->refused.starts_with("READONLY")) {  // a failover demoted this server
      LogWarn("click stream's redis is a replica now; finding the primary",
              {{"redis", redis_.description()}});
      conn.reset();
      continue;
    }
    FollowLag(read->entries.empty() ? std::chrono::milliseconds(0) : OldestWait(read->entries),
              &cpu_yield);
    if (read->entries.empty()) {
      read_pending = false;
      continue;
    }
    std::vector<std::string> ids;
    std::vector<Mutation> mutations;
    cpu_yield.Restart();
    for (const StreamEntry& entry : read->entries) {
      ids.push_back(entry.id);
      bool decoded = false;
      for (const auto& [field, value] : entry.fields) {
        if (field != kClickBatchField) continue;
        auto batch = DecodeClickBatch(value, &cpu_yield);
        if (batch.ok()) {
          mutations.emplace_back(ApplyClicks{std::move(batch).value()});
          decoded = true;
        }
      }
      if (!decoded) {
        refused_->Add();
        LogWarn("unreadable click batch dropped from the stream", {{"id", ids.back()}});
      }
    }
    if (!mutations.empty()) {
      auto results = links_->SubmitAndWait(std::move(mutations));
      bool storage_failed = false;
      for (const auto& result : results) {
        if (result.status.ok())
          batches_->Add();
        else if (result.status.error().code == ErrorCode::kInvalidArgument)
          refused_->Add();
        else
          storage_failed = true;
      }
      if (storage_failed) {
        // Not durable: leave the entries pending; they are read again after a pause.
        read_pending = true;
        std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
    }
    // A failure here leaves the entries pending: the next read fails too,
    // and after reconnecting they are read again (as duplicates, no-ops).
    if (!AcknowledgeAndDelete(*conn, kClickStream, kClickConsumerGroup, ids).ok()) conn.reset();
  }
}

void ClickConsumer::FollowLag(std::chrono::milliseconds lag, CpuYield* cpu_yield) {
  lag_ms_->Set(lag.count());
  const bool paced = lag <= kMaxPacedLag;
  if (paced_now_ == paced) return;
  paced_now_ = paced;
  paced_->Set(paced);
  links_->SetClicksBehind(!paced);
  if (!paced) catch_ups_->Add();
  cpu_yield->SetPaced(paced);
}

}  // namespace shortlink::admin
