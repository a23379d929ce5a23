#include "common/redis_locator.h"

#include <algorithm>

#include "common/options.h"

namespace shortlink {
namespace {

using namespace std::chrono_literals;

// With sentinels, the cap of every reconnect backoff. Sentinels answer from
// memory, so asking them twice a second per connection costs nothing, and a
// node that retried every 2 s could come back up to 2 s after the promotion.
constexpr std::chrono::milliseconds kSentinelRetryCap{500};

// A sentinel is asked with at most this for its connect and its reply: one
// that is down must not hold up asking the next.
constexpr std::chrono::milliseconds kSentinelTimeout{500};

std::string Trim(const std::string& text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

// The address a sentinel gives for `master`: ["host", "port"], or nil when
// it does not know the name.
Result<RedisAddress> AskSentinel(const RedisAddress& sentinel, const std::string& master,
                                 std::chrono::milliseconds timeout) {
  auto conn = RedisConnection::Connect({.host = sentinel.host,
                                        .port = sentinel.port,
                                        .connect_timeout = timeout,
                                        .io_timeout = timeout});
  if (!conn.ok()) return conn.error();
  auto reply = conn->Command({"SENTINEL", "get-master-addr-by-name", master});
  if (!reply.ok()) return reply.error();
  if (reply->is_error()) return MakeError(ErrorCode::kUnavailable, "refused: " + reply->text);
  if (reply->type != RedisReply::Type::kArray || reply->elements.size() != 2 ||
      !reply->elements[0].is_text() || !reply->elements[1].is_text()) {
    return MakeError(ErrorCode::kUnavailable, "does not know master '" + master + "'");
  }
  RedisAddress address;
  if (!ParseHostPort(reply->elements[0].text + ":" + reply->elements[1].text, &address.host,
                     &address.port, /*allow_zero=*/false)
           .ok()) {
    return MakeError(ErrorCode::kUnavailable, "answered a bad address");
  }
  return address;
}

}  // namespace

std::string RedisAddress::ToString() const {
  return host.find(':') == std::string::npos ? host + ":" + std::to_string(port)
                                             : "[" + host + "]:" + std::to_string(port);
}

Result<std::vector<RedisAddress>> ParseSentinelList(const std::string& text) {
  std::vector<RedisAddress> out;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string item =
        Trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    RedisAddress address;
    if (item.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "--redis-sentinel: empty item in '" + text + "' (expected HOST:PORT,...)");
    }
    if (Status s = ParseHostPort(item, &address.host, &address.port, /*allow_zero=*/false);
        !s.ok() || address.host.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "--redis-sentinel: '" + item + "' is not HOST:PORT with a port 1-65535");
    }
    for (const RedisAddress& seen : out) {
      if (seen.host == address.host && seen.port == address.port) {
        return MakeError(ErrorCode::kInvalidArgument, "--redis-sentinel: '" + item + "' twice");
      }
    }
    out.push_back(std::move(address));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

RedisLocator::RedisLocator(std::string address) : address_(std::move(address)) {}

Result<RedisLocator> RedisLocator::FromFlags(const std::string& address,
                                             const std::string& sentinels,
                                             const std::string& master) {
  RedisLocator locator;
  if (Trim(sentinels).empty()) {
    if (!master.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "--redis-master needs --redis-sentinel");
    }
    locator.address_ = address;
    if (Status s = locator.Check(); !s.ok()) {
      return MakeError(ErrorCode::kInvalidArgument, "--redis: " + s.error().message);
    }
    return locator;
  }
  auto list = ParseSentinelList(sentinels);
  if (!list.ok()) return list.error();
  if (master.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--redis-sentinel needs --redis-master (the name the sentinels monitor)");
  }
  locator.sentinels_ = std::move(list).value();
  locator.master_ = master;
  return locator;
}

std::string RedisLocator::description() const {
  if (sentinels_.empty()) return address_;
  std::string out = "master " + master_ + " via ";
  for (size_t i = 0; i < sentinels_.size(); ++i) {
    if (i) out += ',';
    out += sentinels_[i].ToString();
  }
  return out;
}

Status RedisLocator::Check() const {
  if (!sentinels_.empty() || address_.empty()) return Status::Ok();
  RedisAddress unused;
  return ParseHostPort(address_, &unused.host, &unused.port, /*allow_zero=*/false);
}

Result<RedisAddress> RedisLocator::Resolve(std::chrono::milliseconds timeout) const {
  if (sentinels_.empty()) {
    RedisAddress address;
    if (Status s = ParseHostPort(address_, &address.host, &address.port, /*allow_zero=*/false);
        !s.ok()) {
      return s.error();
    }
    return address;
  }
  std::string why;
  for (const RedisAddress& sentinel : sentinels_) {
    auto answer = AskSentinel(sentinel, master_, timeout);
    if (answer.ok()) return answer;
    if (!why.empty()) why += "; ";
    why += "sentinel " + sentinel.ToString() + ": " + answer.error().message;
  }
  return MakeError(ErrorCode::kUnavailable, "no sentinel named the primary (" + why + ")");
}

Result<RedisConnection> RedisLocator::Connect(RedisConnectOptions options,
                                              RedisAddress* connected_to) const {
  auto address = Resolve(std::min(options.connect_timeout, kSentinelTimeout));
  if (!address.ok()) return address.error();
  options.host = address->host;
  options.port = address->port;
  if (connected_to) *connected_to = *address;
  auto conn = RedisConnection::Connect(options);
  if (!conn.ok() || sentinels_.empty()) return conn;
  // The sentinels' answer may be stale: check that this is the primary.
  auto role = conn->Command({"ROLE"});
  if (!role.ok()) return role.error();
  if (role->type != RedisReply::Type::kArray || role->elements.empty() ||
      !role->elements[0].is_text() || role->elements[0].text != "master") {
    std::string what = role->is_text() || role->is_error() ? role->text
                       : role->type == RedisReply::Type::kArray && !role->elements.empty()
                           ? role->elements[0].text
                           : "?";
    return MakeError(
        ErrorCode::kUnavailable,
        address->ToString() + " named by the sentinels is not a primary (role " + what + ")");
  }
  return conn;
}

std::chrono::milliseconds RedisLocator::RetryCap(std::chrono::milliseconds cap) const {
  return sentinels_.empty() ? cap : std::min(cap, kSentinelRetryCap);
}

PrimaryMoveCheck::PrimaryMoveCheck(const RedisLocator& locator, RedisAddress connected_to,
                                   std::chrono::milliseconds interval)
    : locator_(locator.uses_sentinels() ? locator : RedisLocator()),
      connected_to_(std::move(connected_to)),
      interval_(interval),
      next_check_(std::chrono::steady_clock::now() + interval) {}

bool PrimaryMoveCheck::Moved() {
  if (!locator_.uses_sentinels()) return false;
  auto now = std::chrono::steady_clock::now();
  if (now < next_check_) return false;
  next_check_ = now + interval_;
  auto named = locator_.Resolve(kSentinelTimeout);
  return named.ok() && (named->host != connected_to_.host || named->port != connected_to_.port);
}

bool IsDemoted(const RedisReply& reply) { return reply.IsError("READONLY"); }

}  // namespace shortlink
