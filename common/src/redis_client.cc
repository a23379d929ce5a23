#include "common/redis_client.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <cerrno>

namespace shortlink {
namespace {

using Clock = std::chrono::steady_clock;

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

RedisReply Convert(const redisReply& in) {
  RedisReply out;
  switch (in.type) {
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.text.assign(in.str, in.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.text.assign(in.str, in.len);
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.text.assign(in.str, in.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = in.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(in.elements);
      for (size_t i = 0; i < in.elements; ++i) out.elements.push_back(Convert(*in.element[i]));
      break;
    default:  // REDIS_REPLY_NIL
      break;
  }
  return out;
}

// Takes ownership of what hiredis handed out and frees it.
RedisReply Adopt(void* raw) {
  auto* reply = static_cast<redisReply*>(raw);
  RedisReply out = Convert(*reply);
  freeReplyObject(reply);
  return out;
}

}  // namespace

Result<RedisConnection> RedisConnection::Connect(const RedisConnectOptions& options) {
  redisContext* c = redisConnectWithTimeout(options.host.c_str(), options.port,
                                            ToTimeval(options.connect_timeout));
  if (c == nullptr) return MakeError(ErrorCode::kUnavailable, "cannot allocate a redis context");
  RedisConnection connection(c);
  if (c->err) {
    return MakeError(ErrorCode::kUnavailable, std::string("cannot connect to redis: ") + c->errstr);
  }
  if (options.keepalive) redisEnableKeepAlive(c);
  if (options.io_timeout.count() > 0) redisSetTimeout(c, ToTimeval(options.io_timeout));
  return connection;
}

RedisConnection::RedisConnection(RedisConnection&& other) noexcept : context_(other.context_) {
  other.context_ = nullptr;
}

RedisConnection& RedisConnection::operator=(RedisConnection&& other) noexcept {
  if (this != &other) {
    if (context_) redisFree(context_);
    context_ = other.context_;
    other.context_ = nullptr;
  }
  return *this;
}

RedisConnection::~RedisConnection() {
  if (context_) redisFree(context_);
}

Error RedisConnection::Broken(std::string_view what) const {
  std::string message(what);
  if (context_->errstr[0] != '\0') message.append(": ").append(context_->errstr);
  return MakeError(ErrorCode::kUnavailable, std::move(message));
}

void RedisConnection::Append(std::span<const std::string_view> argv) {
  // Commands here have a handful of arguments: no allocation for them.
  constexpr size_t kInline = 16;
  const char* inline_args[kInline];
  size_t inline_lengths[kInline];
  std::vector<const char*> heap_args;
  std::vector<size_t> heap_lengths;
  const char** args = inline_args;
  size_t* lengths = inline_lengths;
  if (argv.size() > kInline) {
    heap_args.resize(argv.size());
    heap_lengths.resize(argv.size());
    args = heap_args.data();
    lengths = heap_lengths.data();
  }
  for (size_t i = 0; i < argv.size(); ++i) {
    args[i] = argv[i].data();
    lengths[i] = argv[i].size();
  }
  // Fails only when out of memory; the next read then fails too.
  redisAppendCommandArgv(context_, static_cast<int>(argv.size()), args, lengths);
}

Status RedisConnection::Flush() {
  int done = 0;
  while (!done) {
    if (redisBufferWrite(context_, &done) != REDIS_OK) return Broken("cannot write to redis");
  }
  return Status::Ok();
}

Result<RedisReply> RedisConnection::ReadReply() {
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
    return Broken("redis connection lost");
  }
  return Adopt(raw);
}

Result<RedisReply> RedisConnection::Command(std::span<const std::string_view> argv) {
  Append(argv);
  return ReadReply();
}

Result<std::optional<RedisReply>> RedisConnection::WaitForReply(std::chrono::milliseconds timeout,
                                                                int wake_fd) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    // A reply already read (several can arrive in one packet) comes first.
    void* raw = nullptr;
    if (redisGetReplyFromReader(context_, &raw) != REDIS_OK) return Broken("redis protocol error");
    if (raw != nullptr) return std::optional<RedisReply>(Adopt(raw));

    auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return std::optional<RedisReply>();
    // Rounded up: a poll that wakes a little early would spin.
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    pollfd fds[2] = {{context_->fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    int rc = poll(fds, wake_fd >= 0 ? 2 : 1, static_cast<int>(wait));
    if (rc < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kUnavailable, "poll failed");
    }
    if (wake_fd >= 0 && fds[1].revents != 0) return std::optional<RedisReply>();
    // hiredis treats EAGAIN on its blocking socket as fatal, so it is read
    // only once poll says bytes (or the end) are there.
    if (fds[0].revents != 0 && redisBufferRead(context_) != REDIS_OK) {
      return Broken("redis connection lost");
    }
  }
}

}  // namespace shortlink
