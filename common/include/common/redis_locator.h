// RedisLocator: where a program finds its Redis primary; the one place that
// knows about Redis Sentinel. Either a fixed HOST:PORT (--redis), or a list
// of sentinels and the name of the master they watch (--redis-sentinel
// HOST:PORT,... --redis-master NAME).
//
// With sentinels, every Connect() asks them, in the order given, for the
// primary's address (SENTINEL get-master-addr-by-name NAME), takes the first
// answer, connects there and checks with ROLE that the server is a primary:
// right after a failover a sentinel may still name the old one, or one
// coming back as a replica. A sentinel that is down, slow or does not know
// the name is skipped. Nothing is cached: each (re)connect asks again, so a
// caller follows a failover by doing what it already does on a broken
// connection, plus dropping a connection whose server answers READONLY
// (IsDemoted: it was a primary and is a replica now).
//
// Until the sentinels have promoted a replica Connect() fails, and callers
// back off; RetryCap() keeps that backoff short with sentinels, so that a
// caller is back on the new primary within about half a second of its
// promotion.
//
// A dead primary breaks its connections, and a demoted one has them closed
// by the sentinels (CLIENT KILL when they make it a replica). One cut off
// from the sentinels but not from us would keep them, and some of our
// connections could be on it while new ones go to the promoted replica
// (admin-api consuming clicks there, a node sending them here). A
// long-lived connection therefore also asks, about once a second, whether
// the sentinels still name its server (PrimaryMoveCheck) -- polling rather
// than subscribing to +switch-master: no thread or connection more, and the
// same one second bound.
//
// Thread safety: immutable after construction; const calls from any thread.
// Connect() blocks for at most a few connect timeouts.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/redis_client.h"
#include "common/result.h"

namespace shortlink {

struct RedisAddress {
  std::string host;
  unsigned short port = 0;
  std::string ToString() const;  // HOST:PORT
};

// "HOST:PORT,HOST:PORT,..." (spaces around items allowed) -> addresses. At
// least one; each port 1-65535; no duplicates. The error names the bad item.
Result<std::vector<RedisAddress>> ParseSentinelList(const std::string& text);

class RedisLocator {
 public:
  // No Redis: enabled() is false.
  RedisLocator() = default;
  // A fixed primary at `address` (HOST:PORT; empty: no Redis), checked by
  // Check() and Connect(). Implicit, so that the tests and callers that
  // name one Redis by its address read as before.
  RedisLocator(std::string address);  // NOLINT(google-explicit-constructor)

  // The flags of both programs: `address` (--redis) is used when
  // `sentinels` is empty; otherwise `master` is required and `address` is
  // ignored. Errors name the flag and what is wrong, for a startup message.
  static Result<RedisLocator> FromFlags(const std::string& address, const std::string& sentinels,
                                        const std::string& master);

  bool enabled() const { return !address_.empty() || !sentinels_.empty(); }
  bool uses_sentinels() const { return !sentinels_.empty(); }
  // For logs: "127.0.0.1:6379" or "master mymaster via 10.0.0.1:26379,...".
  std::string description() const;
  // OK when Connect() can be tried: no Redis, or a valid address.
  Status Check() const;

  // Where the primary is now. Fixed: the address. Sentinels: the first
  // answer, asking each with `timeout` for its connect and reply.
  Result<RedisAddress> Resolve(std::chrono::milliseconds timeout) const;

  // Resolves, connects with `options` (its host and port are ignored) and,
  // with sentinels, checks ROLE. An error: try again later, with backoff.
  // `connected_to` (optional) gets the server's address.
  Result<RedisConnection> Connect(RedisConnectOptions options,
                                  RedisAddress* connected_to = nullptr) const;

  // The longest pause between reconnects a caller should take: `cap`, or
  // less with sentinels (a failover is the usual reason to be reconnecting,
  // and the new primary should be found soon after it is promoted).
  std::chrono::milliseconds RetryCap(std::chrono::milliseconds cap) const;

 private:
  std::string address_;                  // fixed mode
  std::vector<RedisAddress> sentinels_;  // sentinel mode
  std::string master_;
};

// Whether the primary a connection was opened to is still the one the
// sentinels name. Always false for a fixed address.
//
// Thread safety: none; one per connection, on its owner's thread.
class PrimaryMoveCheck {
 public:
  PrimaryMoveCheck() = default;  // never moved
  PrimaryMoveCheck(const RedisLocator& locator, RedisAddress connected_to,
                   std::chrono::milliseconds interval = std::chrono::seconds(1));

  // True when the sentinels name another server now: drop the connection
  // and Connect() again. Asks them at most once per `interval` (blocking,
  // a loopback round trip or so); false in between, and when none answers.
  bool Moved();

 private:
  RedisLocator locator_;
  RedisAddress connected_to_;
  std::chrono::milliseconds interval_{0};
  std::chrono::steady_clock::time_point next_check_{};
};

// The reply of a write refused because the server is a replica now: the
// connection is to a demoted primary and must be dropped, so that the next
// Connect() finds the promoted one.
bool IsDemoted(const RedisReply& reply);

}  // namespace shortlink
