#include "sync/redis_subscriber.h"

#include <catch2/catch.hpp>
#include <deque>
#include <mutex>

#include "sync_test_support.h"

namespace shortlink::redirector {
namespace {

using testing::RedisServer;
using testing::TempDir;
using testing::WaitUntil;

// Collects what the subscriber hands over.
class Recorder {
 public:
  void operator()(RedisEvent event) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(event));
  }
  size_t Count(RedisEvent::Kind kind) {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (const auto& e : events_) n += e.kind == kind;
    return n;
  }
  std::vector<std::string> Messages() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& e : events_) {
      if (e.kind == RedisEvent::Kind::kMessage) out.push_back(e.payload);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<RedisEvent> events_;
};

RedisSubscriberOptions Options(const RedisServer& redis) {
  RedisSubscriberOptions options;
  options.redis = "127.0.0.1:" + std::to_string(redis.port());
  options.ping_interval = std::chrono::milliseconds(300);
  options.reconnect_min = std::chrono::milliseconds(20);
  options.reconnect_max = std::chrono::milliseconds(200);
  return options;
}

// A redis-server and a started subscriber to it whose events are recorded.
class StartedSubscriber {
 protected:
  StartedSubscriber() { subscriber.Start(); }

  TempDir dir;
  RedisServer redis{dir.sub("redis")};
  Recorder recorder;
  RedisSubscriber subscriber{Options(redis), [this](RedisEvent e) { recorder(std::move(e)); }};
};

}  // namespace

TEST_CASE_METHOD(StartedSubscriber, "the subscriber receives a PUBLISH, binary-safe",
                 "[redis][concurrent]") {
  REQUIRE(WaitUntil([&] { return recorder.Count(RedisEvent::Kind::kSubscribed) == 1; }));
  CHECK(subscriber.connected());

  std::string binary("\x01\x00\xff payload\r\n", 13);
  REQUIRE(redis.Publish(kChangesChannel, binary) == 1);
  REQUIRE(redis.Publish(kChangesChannel, "second") == 1);
  REQUIRE(redis.Publish("some:other:channel", "ignored") == 0);
  REQUIRE(WaitUntil([&] { return recorder.Messages().size() == 2; }));
  CHECK(recorder.Messages() == std::vector<std::string>{binary, "second"});

  // Quiet for several ping intervals: PINGs keep the connection, no events.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  CHECK(subscriber.connected());
  CHECK(recorder.Count(RedisEvent::Kind::kDisconnected) == 0);
  subscriber.Stop();
}

TEST_CASE_METHOD(StartedSubscriber, "the subscriber reconnects when redis comes back",
                 "[redis][concurrent]") {
  REQUIRE(WaitUntil([&] { return subscriber.connected(); }));

  redis.Kill();
  REQUIRE(WaitUntil([&] { return recorder.Count(RedisEvent::Kind::kDisconnected) == 1; }));
  CHECK_FALSE(subscriber.connected());
  CHECK_FALSE(subscriber.last_error().empty());

  redis.Start();  // same port
  REQUIRE(WaitUntil([&] { return recorder.Count(RedisEvent::Kind::kSubscribed) == 2; }));
  REQUIRE(redis.Publish(kChangesChannel, "after restart") == 1);
  REQUIRE(WaitUntil([&] { return recorder.Messages().size() == 1; }));
  CHECK(subscriber.last_error().empty());
}

TEST_CASE_METHOD(StartedSubscriber,
                 "the subscriber gives up a connection whose PING goes unanswered",
                 "[redis][concurrent]") {
  REQUIRE(WaitUntil([&] { return subscriber.connected(); }));

  // Hung, not gone: the socket stays open and only the unanswered PING
  // (after 300 ms of silence, then 300 ms more) tells.
  redis.Pause();
  auto paused = std::chrono::steady_clock::now();
  REQUIRE(WaitUntil([&] { return recorder.Count(RedisEvent::Kind::kDisconnected) == 1; }));
  CHECK(std::chrono::steady_clock::now() - paused < std::chrono::milliseconds(2000));
  CHECK_FALSE(subscriber.connected());
  CHECK(subscriber.last_error() == "redis did not answer a PING");

  redis.Resume();
  REQUIRE(WaitUntil([&] { return recorder.Count(RedisEvent::Kind::kSubscribed) == 2; }));
  REQUIRE(redis.Publish(kChangesChannel, "after the stall") == 1);
  REQUIRE(WaitUntil([&] { return recorder.Messages().size() == 1; }));
}

TEST_CASE("the subscriber stops promptly while redis is down", "[redis][concurrent]") {
  RedisSubscriberOptions options;
  options.redis = "127.0.0.1:" + std::to_string(testing::FreePort());  // nothing listens there
  options.reconnect_max = std::chrono::milliseconds(5000);
  Recorder recorder;
  RedisSubscriber subscriber(options, [&](RedisEvent e) { recorder(std::move(e)); });
  subscriber.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(subscriber.connected());
  auto started = std::chrono::steady_clock::now();
  subscriber.Stop();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1500));
  CHECK(recorder.Count(RedisEvent::Kind::kSubscribed) == 0);
  CHECK(recorder.Count(RedisEvent::Kind::kDisconnected) == 0);
}

}  // namespace shortlink::redirector
