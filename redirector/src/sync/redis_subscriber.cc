#include "sync/redis_subscriber.h"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <random>
#include <string_view>

#include "common/log.h"
#include "common/thread_name.h"

namespace shortlink::redirector {
namespace {

using Clock = std::chrono::steady_clock;

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

std::string_view ElementText(const redisReply* reply, size_t i) {
  if (i >= reply->elements) return {};
  const redisReply* e = reply->element[i];
  if (e->type != REDIS_REPLY_STRING && e->type != REDIS_REPLY_STATUS) return {};
  return std::string_view(e->str, e->len);
}

// Sends what the context has buffered. Small commands on a blocking socket
// with a send timeout: this returns promptly or fails.
bool Flush(redisContext* c) {
  int done = 0;
  while (!done) {
    if (redisBufferWrite(c, &done) != REDIS_OK) return false;
  }
  return true;
}

}  // namespace

RedisSubscriber::RedisSubscriber(RedisSubscriberOptions options, Sink sink)
    : options_(std::move(options)), sink_(std::move(sink)) {}

RedisSubscriber::~RedisSubscriber() { Stop(); }

void RedisSubscriber::Start() {
  if (thread_.joinable()) return;
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    // Without the pipe Stop could not wake the thread; fail loudly rather
    // than run without live changes unnoticed.
    SetError("cannot create wake pipe");
    LogError("redis subscriber: cannot create wake pipe", {{"errno", std::to_string(errno)}});
    return;
  }
  stopping_.store(false);
  thread_ = std::thread([this] {
    NameThisThread("redis-changes");
    Run();
  });
}

void RedisSubscriber::Stop() {
  stopping_.store(true);
  if (wake_[1] >= 0) {
    char byte = 1;
    [[maybe_unused]] ssize_t n = write(wake_[1], &byte, 1);
  }
  if (thread_.joinable()) thread_.join();
  for (int& fd : wake_) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
}

std::string RedisSubscriber::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

void RedisSubscriber::SetError(std::string error) {
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = std::move(error);
}

bool RedisSubscriber::WaitForWake(std::chrono::milliseconds delay) {
  pollfd p{wake_[0], POLLIN, 0};
  int rc = poll(&p, 1, static_cast<int>(delay.count()));
  return rc > 0 || stopping_.load();
}

void RedisSubscriber::Run() {
  std::minstd_rand rng(std::random_device{}());
  auto delay = options_.reconnect_min;
  bool logged_down = false;
  while (!stopping_.load()) {
    bool subscribed = false;
    std::string why = Session(&subscribed);
    if (stopping_.load()) break;
    SetError(why);
    if (subscribed) {  // a healthy session: a new outage, and a fresh backoff
      logged_down = false;
      delay = options_.reconnect_min;
    }
    if (!logged_down) {  // one line per outage, not one per retry
      LogWarn("redis subscriber: connection lost or refused", {{"error", why}});
      logged_down = true;
    }
    // Jitter (50-100%) so that many nodes do not reconnect in lockstep.
    auto jittered = std::chrono::milliseconds(delay.count() / 2 +
                                              static_cast<long>(rng() % (delay.count() / 2 + 1)));
    if (WaitForWake(jittered)) break;
    delay = std::min(options_.reconnect_max, delay * 2);
  }
}

std::string RedisSubscriber::Session(bool* subscribed_out) {
  ContextPtr ctx(redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                         ToTimeval(options_.connect_timeout)));
  if (!ctx) return "cannot allocate redis context";
  if (ctx->err) return std::string("cannot connect to redis: ") + ctx->errstr;
  redisEnableKeepAlive(ctx.get());
  redisSetTimeout(ctx.get(), ToTimeval(options_.connect_timeout));  // bounds writes

  if (redisAppendCommand(ctx.get(), "SUBSCRIBE %s", options_.channel.c_str()) != REDIS_OK ||
      !Flush(ctx.get())) {
    return std::string("cannot subscribe: ") + ctx->errstr;
  }

  bool subscribed = false;
  auto ended = [&](std::string why) {
    if (subscribed) {
      SetError(why);  // before the event, so that whoever reacts to it sees why
      connected_.store(false);
      sink_(RedisEvent{RedisEvent::Kind::kDisconnected, why});
    }
    return why;
  };

  auto last_heard = Clock::now();
  bool ping_sent = false;
  while (!stopping_.load()) {
    // Hand out every reply already read before waiting for more bytes.
    for (;;) {
      void* raw = nullptr;
      if (redisGetReplyFromReader(ctx.get(), &raw) != REDIS_OK) {
        return ended(std::string("redis protocol error: ") + ctx->errstr);
      }
      if (raw == nullptr) break;
      ReplyPtr reply(static_cast<redisReply*>(raw));
      last_heard = Clock::now();
      ping_sent = false;
      if (reply->type == REDIS_REPLY_ERROR) {
        return ended("redis error: " + std::string(reply->str, reply->len));
      }
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2) continue;
      std::string_view kind = ElementText(reply.get(), 0);
      if (kind == "message" && reply->elements == 3) {
        sink_(RedisEvent{RedisEvent::Kind::kMessage, std::string(ElementText(reply.get(), 2))});
      } else if (kind == "subscribe" && !subscribed) {
        subscribed = true;
        *subscribed_out = true;
        connected_.store(true);
        SetError("");
        LogInfo("redis subscriber: subscribed", {{"channel", options_.channel}});
        sink_(RedisEvent{RedisEvent::Kind::kSubscribed, {}});
      }
      // "pong" and anything else: proof of life only.
    }

    auto now = Clock::now();
    auto deadline = last_heard + options_.ping_interval * (ping_sent ? 2 : 1);
    if (now >= deadline) {
      if (ping_sent) return ended("redis did not answer a PING");
      if (redisAppendCommand(ctx.get(), "PING") != REDIS_OK || !Flush(ctx.get())) {
        return ended(std::string("cannot send PING: ") + ctx->errstr);
      }
      ping_sent = true;
      continue;
    }
    pollfd fds[2] = {{ctx->fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    int rc = poll(fds, 2, static_cast<int>(wait));
    if (rc < 0 && errno != EINTR) return ended("poll failed");
    if (fds[1].revents != 0) break;
    if (fds[0].revents != 0 && redisBufferRead(ctx.get()) != REDIS_OK) {
      return ended(std::string("redis connection lost: ") + ctx->errstr);
    }
  }
  return ended("stopped");
}

}  // namespace shortlink::redirector
