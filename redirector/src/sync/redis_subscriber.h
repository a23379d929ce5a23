// RedisSubscriber: follows one Redis pub/sub channel on a dedicated thread
// over a RedisConnection (common/redis_client.h), and hands what it sees to
// a sink.
//
// A blocking read could not be woken by Stop, so the thread waits with
// RedisConnection::WaitForReply, which polls the socket together with a
// pipe that Stop() writes to.
//
// Liveness: TCP keepalive, plus a PING (legal in subscribed mode) after
// `ping_interval` of silence; no reply within another `ping_interval` and
// the connection is given up. Reconnects back off exponentially (capped at
// 0.5 s with sentinels: redis.RetryCap), each asking for the primary anew.
// With sentinels the connection is also given up when they name another
// primary (PrimaryMoveCheck, about once a second).
//
// Events, in order, for each connection: kSubscribed once Redis confirmed
// the subscription (every message published after that point is delivered),
// then kMessage for each message, then kDisconnected when the connection is
// lost (only after a kSubscribed). A message published while no connection
// is subscribed is lost: the caller catches up from elsewhere.
//
// Thread safety: Start and Stop from one owning thread; connected() and
// last_error() from any thread. The sink is called on the subscriber's
// thread and must not block for long.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/protocol.h"
#include "common/redis_locator.h"

namespace shortlink::redirector {

struct RedisSubscriberOptions {
  // The primary: a fixed HOST:PORT, or sentinels asked at each connect.
  RedisLocator redis{"127.0.0.1:6379"};
  std::string channel = kChangesChannel;
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds ping_interval{
      2000};  // silence before a PING, and the wait for its reply
  std::chrono::milliseconds reconnect_min{100};   // first retry delay
  std::chrono::milliseconds reconnect_max{2000};  // cap of the exponential backoff
};

struct RedisEvent {
  enum class Kind { kSubscribed, kMessage, kDisconnected };
  Kind kind;
  std::string payload;  // kMessage: the message; kDisconnected: why
};

class RedisSubscriber {
 public:
  using Sink = std::function<void(RedisEvent)>;

  RedisSubscriber(RedisSubscriberOptions options, Sink sink);
  ~RedisSubscriber();  // Stop()
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  void Start();
  // Closes the connection and joins the thread; returns within about
  // connect_timeout even while a connect is in progress.
  void Stop();

  bool connected() const { return connected_.load(std::memory_order_relaxed); }
  std::string last_error() const;

 private:
  void Run();
  // Runs one connection until it fails or Stop; returns why it ended, and
  // sets `*subscribed` when the subscription was confirmed.
  std::string Session(bool* subscribed);
  bool WaitForWake(std::chrono::milliseconds delay);  // true when woken by Stop
  void SetError(std::string error);

  const RedisSubscriberOptions options_;
  const Sink sink_;
  int wake_[2] = {-1, -1};  // pipe: Stop writes, the thread polls
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  mutable std::mutex mu_;
  std::string last_error_;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace shortlink::redirector
