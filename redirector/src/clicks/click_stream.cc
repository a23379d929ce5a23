#include "clicks/click_stream.h"

#include <algorithm>

#include "common/log.h"
#include "common/protocol.h"
#include "common/redis_stream.h"

namespace shortlink::redirector {

using namespace std::chrono_literals;

ClickStream::ClickStream(RedisLocator redis, std::chrono::milliseconds timeout, Gauge* connected)
    : redis_(std::move(redis)), timeout_(timeout), connected_gauge_(connected) {}

ClickStream::~ClickStream() { Close(); }

ClickStream::State ClickStream::Connect() {
  if (redis_conn_) {
    if (!moved_.Moved()) return State::kUp;
    // admin-api reads the stream of the primary the sentinels name.
    Drop("the sentinels name another primary", redis_.description());
  }
  if (!redis_.enabled()) return State::kDown;
  auto now = std::chrono::steady_clock::now();
  if (now < next_connect_) return State::kDown;
  RedisAddress address;
  auto connection = redis_.Connect({.connect_timeout = timeout_, .io_timeout = timeout_}, &address);
  if (!connection.ok()) {
    if (backoff_ == 0ms) {
      LogWarn("cannot connect to Redis for clicks",
              {{"redis", redis_.description()}, {"error", connection.error().message}});
    }
    // Capped low: while Redis is away clicks wait, and a restarted Redis
    // should see them again within a couple of seconds (with sentinels,
    // a promoted replica within half a second).
    auto cap = redis_.RetryCap(std::chrono::milliseconds(2000));
    backoff_ = std::clamp(backoff_ * 2, std::min(cap, std::chrono::milliseconds(250)), cap);
    next_connect_ = now + backoff_;
    return State::kDown;
  }
  redis_conn_.emplace(std::move(*connection));
  moved_ = PrimaryMoveCheck(redis_, address);
  backoff_ = 0ms;
  connected_gauge_->Set(1);
  LogInfo("connected to Redis for clicks", {{"redis", redis_.description()}});
  return State::kNewlyUp;
}

void ClickStream::Drop(const char* why, const std::string& error) {
  if (!redis_conn_) return;
  LogWarn("lost the Redis connection for clicks", {{"why", why}, {"error", error}});
  redis_conn_.reset();
  connected_gauge_->Set(0);
  next_connect_ = std::chrono::steady_clock::now();  // try again at the next flush, then back off
}

bool ClickStream::Ping() {
  if (!redis_conn_) return false;
  auto reply = redis_conn_->Command({"PING"});
  if (!reply.ok()) {
    Drop("PING failed", reply.error().message);
    return false;
  }
  return true;
}

bool ClickStream::Add(const std::vector<std::string_view>& batches,
                      const std::function<void(size_t, bool)>& on_reply) {
  if (!redis_conn_) return false;
  // One pipeline: every XADD written, then every reply read.
  for (std::string_view bytes : batches) {
    AppendXAdd(*redis_conn_, kClickStream, kClickStreamMaxLen, kClickBatchField, bytes);
  }
  for (size_t i = 0; i < batches.size(); ++i) {
    auto reply = redis_conn_->ReadReply();
    if (!reply.ok()) {
      Drop("XADD failed", reply.error().message);
      return false;
    }
    if (IsDemoted(*reply)) {
      // Not refused for what it is: this server is a replica now. The batch
      // and those after it go to the primary the next connect finds.
      Drop("the server is a replica now", reply->text);
      return false;
    }
    bool ok = !reply->is_error();
    if (!ok) LogWarn("Redis refused a click batch", {{"error", reply->text}});
    on_reply(i, ok);
  }
  return true;
}

void ClickStream::Close() {
  if (!redis_conn_) return;
  redis_conn_.reset();
  connected_gauge_->Set(0);
}

}  // namespace shortlink::redirector
