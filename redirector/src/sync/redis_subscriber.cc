#include "sync/redis_subscriber.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <random>
#include <string_view>

#include "common/log.h"
#include "common/redis_client.h"
#include "common/thread_name.h"

namespace shortlink::redirector {
namespace {

using Clock = std::chrono::steady_clock;

// The longest wait for a reply before looking again whether the sentinels
// moved the primary (PrimaryMoveCheck asks them at most once a second).
constexpr std::chrono::milliseconds kMoveCheckWake{1000};

// The text of element `i` of an array reply, "" when it has none.
std::string_view ElementText(const RedisReply& reply, size_t i) {
  if (i >= reply.elements.size() || !reply.elements[i].is_text()) return {};
  return reply.elements[i].text;
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
    delay = std::min(options_.redis.RetryCap(options_.reconnect_max), delay * 2);
  }
}

std::string RedisSubscriber::Session(bool* subscribed_out) {
  // The connect timeout also bounds each write (SUBSCRIBE, PING); reads
  // wait in WaitForReply, which Stop can interrupt.
  RedisAddress address;
  auto connected = options_.redis.Connect({.connect_timeout = options_.connect_timeout,
                                           .io_timeout = options_.connect_timeout,
                                           .keepalive = true},
                                          &address);
  if (!connected.ok()) return connected.error().message;
  RedisConnection& redis = *connected;
  // admin-api publishes on the primary the sentinels name: follow it there.
  PrimaryMoveCheck moved(options_.redis, address);

  redis.Append({"SUBSCRIBE", options_.channel});
  if (Status sent = redis.Flush(); !sent.ok()) {
    return "cannot subscribe: " + sent.error().message;
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
    if (moved.Moved()) return ended("the sentinels name another primary");
    auto now = Clock::now();
    auto deadline = last_heard + options_.ping_interval * (ping_sent ? 2 : 1);
    if (now >= deadline) {
      if (ping_sent) return ended("redis did not answer a PING");
      redis.Append({"PING"});
      if (Status sent = redis.Flush(); !sent.ok()) {
        return ended("cannot send PING: " + sent.error().message);
      }
      ping_sent = true;
      continue;
    }
    auto wait =
        std::min(std::chrono::ceil<std::chrono::milliseconds>(deadline - now), kMoveCheckWake);
    auto next = redis.WaitForReply(wait, wake_[0]);
    if (!next.ok()) return ended(next.error().message);
    if (!next->has_value()) continue;  // the deadline passed, or Stop woke us
    RedisReply& reply = **next;
    last_heard = Clock::now();
    ping_sent = false;
    if (reply.is_error()) return ended("redis error: " + reply.text);
    if (reply.type != RedisReply::Type::kArray || reply.elements.size() < 2) continue;
    std::string_view kind = ElementText(reply, 0);
    if (kind == "message" && reply.elements.size() == 3) {
      sink_(RedisEvent{RedisEvent::Kind::kMessage,
                       reply.elements[2].is_text() ? std::move(reply.elements[2].text) : ""});
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
  return ended("stopped");
}

}  // namespace shortlink::redirector
