// ClickConsumer: reads click batches from the Redis stream `shortlink:clicks`
// with a consumer group and applies them through LinkService, exactly once
// per (node, number). An entry is acknowledged (and deleted) only after its
// batch is durable, or known to be a duplicate, or refused as out of order
// (its node sends it again: nodes keep each batch until the watermark that
// /internal/v1/clicks/watermark reports covers it). A Redis restart that
// drops the stream and the group therefore loses no click.
//
// Thread safety: owns one thread; construct and destroy from one thread.
#pragma once

#include <atomic>
#include <string>
#include <thread>

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

  const RedisLocator redis_;
  LinkService* links_;
  Counter* batches_;
  Counter* refused_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace shortlink::admin
