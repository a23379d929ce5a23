#include "clicks/click_stream.h"

#include <hiredis/hiredis.h>

#include <algorithm>

#include "common/click_batch.h"
#include "common/log.h"

namespace shortlink::redirector {
namespace {

using namespace std::chrono_literals;

timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

}  // namespace

ClickStream::ClickStream(std::string redis, std::string host, unsigned short port,
                         std::chrono::milliseconds timeout, Gauge* connected)
    : redis_(std::move(redis)),
      host_(std::move(host)),
      port_(port),
      timeout_(timeout),
      connected_gauge_(connected) {}

ClickStream::~ClickStream() { Close(); }

ClickStream::State ClickStream::Connect() {
  if (context_) return State::kUp;
  if (redis_.empty()) return State::kDown;
  auto now = std::chrono::steady_clock::now();
  if (now < next_connect_) return State::kDown;
  timeval timeout = ToTimeval(timeout_);
  redisContext* c = redisConnectWithTimeout(host_.c_str(), port_, timeout);
  if (c == nullptr || c->err) {
    if (backoff_ == 0ms) {
      LogWarn("cannot connect to Redis for clicks",
              {{"redis", redis_}, {"error", c ? c->errstr : "out of memory"}});
    }
    if (c) redisFree(c);
    // Capped low: while Redis is away clicks wait, and a restarted Redis
    // should see them again within a couple of seconds.
    backoff_ =
        std::clamp(backoff_ * 2, std::chrono::milliseconds(250), std::chrono::milliseconds(2000));
    next_connect_ = now + backoff_;
    return State::kDown;
  }
  redisSetTimeout(c, timeout);
  context_ = c;
  backoff_ = 0ms;
  connected_gauge_->Set(1);
  LogInfo("connected to Redis for clicks", {{"redis", redis_}});
  return State::kNewlyUp;
}

void ClickStream::Drop(const char* why) {
  if (!context_) return;
  LogWarn("lost the Redis connection for clicks",
          {{"why", why}, {"error", context_->err ? context_->errstr : ""}});
  redisFree(context_);
  context_ = nullptr;
  connected_gauge_->Set(0);
  next_connect_ = std::chrono::steady_clock::now();  // try again at the next flush, then back off
}

bool ClickStream::Ping() {
  if (!context_) return false;
  auto* reply = static_cast<redisReply*>(redisCommand(context_, "PING"));
  if (reply == nullptr) {
    Drop("PING failed");
    return false;
  }
  freeReplyObject(reply);
  return true;
}

bool ClickStream::Add(const std::vector<std::string_view>& batches,
                      const std::function<void(size_t, bool)>& on_reply) {
  if (!context_) return false;
  // One pipeline: every XADD written, then every reply read.
  for (std::string_view bytes : batches) {
    redisAppendCommand(context_, "XADD %s MAXLEN ~ 1000000 * batch %b", kClickStream, bytes.data(),
                       bytes.size());
  }
  for (size_t i = 0; i < batches.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
      Drop("XADD failed");
      return false;
    }
    auto* reply = static_cast<redisReply*>(raw);
    bool ok = reply->type != REDIS_REPLY_ERROR;
    if (!ok) {
      LogWarn("Redis refused a click batch", {{"error", std::string(reply->str, reply->len)}});
    }
    freeReplyObject(reply);
    on_reply(i, ok);
  }
  return true;
}

void ClickStream::Close() {
  if (!context_) return;
  redisFree(context_);
  context_ = nullptr;
  connected_gauge_->Set(0);
}

}  // namespace shortlink::redirector
