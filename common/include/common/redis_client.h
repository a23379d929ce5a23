// RedisConnection: one blocking connection to Redis over hiredis.
// admin-api's change publisher and click consumer and the redirector's
// change subscriber and click stream each own one; nothing else includes
// hiredis (common links it privately).
//
// Commands are argv vectors of string_views, so values are binary-safe and
// never pass through a format string. Replies are copied into RedisReply, a
// plain value that outlives the connection.
//
// Failure contract: a Result error from any call means the connection is
// broken (refused, timed out, closed, unreadable). hiredis poisons a context
// after any I/O error, so there is no retry on the same object: the caller
// drops it and connects again with its own backoff. An error *reply*
// (e.g. NOGROUP) is not a failure: it comes back as a RedisReply of type
// kError and the connection stays usable.
//
// Timeouts: connect_timeout bounds the TCP connect; io_timeout bounds each
// blocking read and write (zero: none). A blocking command that Redis holds
// open longer than io_timeout (XREADGROUP ... BLOCK) fails as a timeout, so
// io_timeout must exceed any BLOCK the caller asks for.
//
// Thread safety: none. A connection belongs to one thread at a time.
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct redisContext;

namespace shortlink {

struct RedisReply {
  enum class Type { kNil, kStatus, kError, kInteger, kString, kArray };

  Type type = Type::kNil;
  std::string text;                  // kStatus, kError, kString
  long long integer = 0;             // kInteger
  std::vector<RedisReply> elements;  // kArray

  bool is_error() const { return type == Type::kError; }
  // An error reply whose text starts with `code` ("NOGROUP", "BUSYGROUP").
  bool IsError(std::string_view code) const {
    return type == Type::kError && std::string_view(text).starts_with(code);
  }
  // A status or bulk string: the two carry text a caller can compare.
  bool is_text() const { return type == Type::kStatus || type == Type::kString; }
};

struct RedisConnectOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 6379;
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds io_timeout{1000};  // each blocking read or write; zero: no bound
  // TCP keepalive, for a connection that may be silent for long (pub/sub).
  bool keepalive = false;
};

class RedisConnection {
 public:
  // Connects; the error (kUnavailable) says why, in hiredis' words.
  static Result<RedisConnection> Connect(const RedisConnectOptions& options);

  RedisConnection(RedisConnection&& other) noexcept;
  RedisConnection& operator=(RedisConnection&& other) noexcept;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;
  ~RedisConnection();

  // One round trip: sends `argv` and waits for its reply.
  Result<RedisReply> Command(std::span<const std::string_view> argv);
  Result<RedisReply> Command(std::initializer_list<std::string_view> argv) {
    return Command(std::span<const std::string_view>(argv.begin(), argv.size()));
  }

  // Pipelining: Append queues commands in the client's buffer, Flush writes
  // them all, ReadReply returns their replies one by one, in order. One
  // round trip for many commands. (ReadReply flushes first, so Flush is
  // only needed to send without waiting for a reply.)
  void Append(std::span<const std::string_view> argv);
  void Append(std::initializer_list<std::string_view> argv) {
    Append(std::span<const std::string_view>(argv.begin(), argv.size()));
  }
  Status Flush();
  Result<RedisReply> ReadReply();

  // For a thread that waits for other things too (a subscriber and its stop
  // signal): returns the next reply, or nullopt when none arrived within
  // `timeout` or `wake_fd` (when >= 0) became readable. Does not flush.
  Result<std::optional<RedisReply>> WaitForReply(std::chrono::milliseconds timeout,
                                                 int wake_fd = -1);

 private:
  explicit RedisConnection(redisContext* context) : context_(context) {}
  Error Broken(std::string_view what) const;

  redisContext* context_;  // owned; null only after a move
};

}  // namespace shortlink
