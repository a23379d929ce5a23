// ClickConsumer: reads click batches from the Redis stream `shortlink:clicks`
// with a consumer group and applies them through LinkService, exactly once
// per (node, number). An entry is acknowledged (and deleted) only after its
// batch is durable, or known to be a duplicate, or refused as out of order
// (its node sends it again: nodes keep each batch until the watermark that
// /internal/v1/clicks/watermark reports covers it). A Redis restart that
// drops the stream and the group therefore loses no click.
//
// Click work (this thread, and the link writer's commits of clicks alone)
// is paced while it keeps within a second of the stream, so that it never
// holds a core the edge needs on a shared machine, and runs at full speed
// once it falls further behind (links/link_service.h).
//
// Thread safety: owns one thread; construct and destroy from one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "common/cpu_yield.h"
#include "common/metrics.h"
#include "common/redis_locator.h"
#include "links/link_service.h"

namespace shortlink::admin {

class ClickConsumer {
 public:
  // `redis` names the primary (a fixed HOST:PORT or sentinels); one not
  // enabled disables consuming.
  ClickConsumer(RedisLocator redis, LinkService* links, MetricsRegistry* metrics);
  ~ClickConsumer();

 private:
  void Run();
  // Paces click work by how long the oldest batch just read waited:
  // paced while within the bound, else full speed (the writer too).
  void FollowLag(std::chrono::milliseconds lag, CpuYield* cpu_yield);

  const RedisLocator redis_;
  LinkService* links_;
  Counter* batches_;
  Counter* refused_;
  Gauge* lag_ms_;
  Counter* catch_ups_;
  Gauge* paced_;
  std::optional<bool> paced_now_;  // the consumer thread's; none before the first read
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace shortlink::admin
