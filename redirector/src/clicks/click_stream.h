// ClickStream: the click flusher's connection to the Redis stream of click
// batches (common/protocol.h, kClickStream): connect with a capped backoff,
// PING, and XADD a run of batches in one pipeline. A blocking
// RedisConnection (common/redis_client.h) with a timeout on connect and on
// each command; nothing else in clicks/ speaks Redis.
//
// Thread safety: none; the flusher's thread (or Stop() after it) only.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics.h"
#include "common/redis_client.h"
#include "common/redis_locator.h"

namespace shortlink::redirector {

class ClickStream {
 public:
  // `redis` names the primary (a fixed HOST:PORT or sentinels, asked again
  // at each connect); not enabled: never connects. `connected` must outlive
  // this; it reads 1 while connected.
  ClickStream(RedisLocator redis, std::chrono::milliseconds timeout, Gauge* connected);
  ~ClickStream();
  ClickStream(const ClickStream&) = delete;
  ClickStream& operator=(const ClickStream&) = delete;

  enum class State { kDown, kUp, kNewlyUp };
  // Connects unless connected or backing off; connected, moves when the
  // sentinels name another primary (PrimaryMoveCheck). kNewlyUp: a new connection,
  // perhaps to a new Redis whose stream lost what was sent before (a
  // restart, or a failover to a replica that had not yet received it).
  State Connect();
  bool connected() const { return redis_conn_.has_value(); }
  // Keeps the connection (and its gauge) honest while there is nothing to send.
  bool Ping();
  // XADDs each of `batches` (MAXLEN ~ kClickStreamMaxLen), all written
  // before any reply is read; `on_reply(i, ok)` for each reply in order
  // (ok: Redis took batch i). False when the connection failed midway: it
  // is dropped, and the batches without a reply may or may not be in. A
  // READONLY reply (the server was demoted by a failover) drops it too.
  bool Add(const std::vector<std::string_view>& batches,
           const std::function<void(size_t, bool)>& on_reply);
  void Close();

 private:
  void Drop(const char* why, const std::string& error);

  const RedisLocator redis_;
  const std::chrono::milliseconds timeout_;
  Gauge* connected_gauge_;
  std::optional<RedisConnection> redis_conn_;
  PrimaryMoveCheck moved_;  // of redis_conn_
  std::chrono::steady_clock::time_point next_connect_{};
  std::chrono::milliseconds backoff_{0};
};

}  // namespace shortlink::redirector
