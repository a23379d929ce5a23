// ChangePublisher: PUBLISHes committed changes on Redis, in commit order
// (a ChangeListener of the link writer, registered by serve.cc),
// from a thread of its own so that a slow or absent Redis never delays a
// write. Redis is a bus, not a record: when it is down, messages are dropped
// (counted) and nodes catch up from the change log.
//
// Thread safety: Publish may be called from any thread; calls from one
// thread are published in that order.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "common/metrics.h"
#include "common/protocol.h"
#include "common/redis_locator.h"
#include "links/change_listener.h"

namespace shortlink::admin {

class ChangePublisher final : public ChangeListener {
 public:
  // `redis` names the primary (a fixed HOST:PORT or sentinels); one not
  // enabled disables publishing (nodes then poll).
  ChangePublisher(RedisLocator redis, MetricsRegistry* metrics);
  ~ChangePublisher();  // publishes what is queued if Redis is up, then stops

  void Publish(std::string encoded_change);
  void OnCommitted(const Change&, std::string encoded) override { Publish(std::move(encoded)); }
  bool connected() const { return connected_.load(std::memory_order_relaxed); }

 private:
  void Run();

  const RedisLocator redis_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;          // GUARDED_BY(mu_)
  std::atomic<bool> connected_{false};
  Counter* published_;
  Counter* dropped_;
  std::thread thread_;
};

}  // namespace shortlink::admin
