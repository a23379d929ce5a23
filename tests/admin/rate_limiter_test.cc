#include "http/rate_limiter.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

namespace shortlink::admin {
namespace {

using std::chrono::seconds;

// A limiter on a clock the test moves by hand.
struct Fixture {
  explicit Fixture(double rate, std::chrono::milliseconds cooloff = seconds(10))
      : limiter(rate, cooloff, [this] { return now; }) {}
  int64_t now = 1'000'000;  // ms; not 0, so nothing depends on the clock's origin
  RateLimiter limiter;
};

}  // namespace

TEST_CASE("a burst of `rate` passes, the next is refused and starts a 10 s cool-off",
          "[rate_limiter]") {
  Fixture f(5);
  for (int i = 0; i < 5; ++i) CHECK(f.limiter.Check(1).allowed);
  auto refused = f.limiter.Check(1);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_seconds == 10);

  f.now += 2'000;  // the bucket has refilled, but the cool-off holds
  auto still = f.limiter.Check(1);
  CHECK_FALSE(still.allowed);
  CHECK(still.retry_after_seconds == 8);

  f.now += 8'000;  // cool-off over
  CHECK(f.limiter.Check(1).allowed);
}

TEST_CASE("Retry-After counts down in whole seconds, rounded up, never 0", "[rate_limiter]") {
  Fixture f(5);
  for (int i = 0; i < 5; ++i) REQUIRE(f.limiter.Check(1).allowed);
  const int64_t start = f.now;
  REQUIRE(f.limiter.Check(1).retry_after_seconds == 10);
  for (auto [offset_ms, expected] : std::vector<std::pair<int64_t, int>>{
           {1, 10}, {999, 10}, {1'000, 9}, {1'001, 9}, {5'500, 5}, {9'000, 1}, {9'999, 1}}) {
    INFO(offset_ms);
    f.now = start + offset_ms;
    auto d = f.limiter.Check(1);
    CHECK_FALSE(d.allowed);
    CHECK(d.retry_after_seconds == expected);
  }
  // Requests refused during the cool-off did not extend it.
  f.now = start + 10'000;
  CHECK(f.limiter.Check(1).allowed);
}

TEST_CASE("after the cool-off the whole burst is available again", "[rate_limiter]") {
  Fixture f(5);
  for (int i = 0; i < 5; ++i) REQUIRE(f.limiter.Check(1).allowed);
  REQUIRE_FALSE(f.limiter.Check(1).allowed);
  f.now += 10'000;
  for (int i = 0; i < 5; ++i) CHECK(f.limiter.Check(1).allowed);
  auto again = f.limiter.Check(1);
  CHECK_FALSE(again.allowed);
  CHECK(again.retry_after_seconds == 10);  // a second offence, a fresh cool-off
}

TEST_CASE("tokens refill at the rate, up to the burst and no further", "[rate_limiter]") {
  Fixture f(5);
  for (int i = 0; i < 5; ++i) REQUIRE(f.limiter.Check(1).allowed);
  f.now += 200;  // one token at 5/s
  CHECK(f.limiter.Check(1).allowed);
  f.now += 400;  // two more
  CHECK(f.limiter.Check(1).allowed);
  CHECK(f.limiter.Check(1).allowed);
  f.now += 199;  // not quite a token: refused, cool-off
  CHECK_FALSE(f.limiter.Check(1).allowed);

  Fixture idle(5);
  idle.now += 3'600'000;  // an hour idle still buys a burst of 5 only
  for (int i = 0; i < 5; ++i) CHECK(idle.limiter.Check(2).allowed);
  CHECK_FALSE(idle.limiter.Check(2).allowed);
}

TEST_CASE("a steady 5/s never trips the limit, 7/s does", "[rate_limiter]") {
  Fixture steady(5);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(steady.limiter.Check(7).allowed);
    steady.now += 200;  // exactly 5 per second
  }
  Fixture fast(5);
  int allowed = 0;
  while (fast.limiter.Check(7).allowed) {
    ++allowed;
    fast.now += 143;  // 7 per second: the burst drains by 2 tokens a second
    REQUIRE(allowed < 100);
  }
  CHECK(allowed >= 5);
}

TEST_CASE("users are limited independently", "[rate_limiter]") {
  Fixture f(2);
  CHECK(f.limiter.Check(1).allowed);
  CHECK(f.limiter.Check(1).allowed);
  CHECK_FALSE(f.limiter.Check(1).allowed);
  // User 1's cool-off leaves user 2 alone, and user 2 has a burst of its own.
  CHECK(f.limiter.Check(2).allowed);
  CHECK(f.limiter.Check(2).allowed);
  CHECK_FALSE(f.limiter.Check(2).allowed);
  CHECK(f.limiter.Check(3).allowed);
  CHECK(f.limiter.Check(0).allowed);
  CHECK(f.limiter.Check(~0ull).allowed);
  f.now += 5'000;
  CHECK_FALSE(f.limiter.Check(1).allowed);
  CHECK(f.limiter.Check(3).allowed);
}

TEST_CASE("the rate and the cool-off are configurable", "[rate_limiter]") {
  Fixture fast(100, seconds(3));
  for (int i = 0; i < 100; ++i) REQUIRE(fast.limiter.Check(1).allowed);
  auto d = fast.limiter.Check(1);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_seconds == 3);
  fast.now += 3'000;
  CHECK(fast.limiter.Check(1).allowed);

  Fixture odd(5, std::chrono::milliseconds(1'500));
  for (int i = 0; i < 5; ++i) REQUIRE(odd.limiter.Check(1).allowed);
  CHECK(odd.limiter.Check(1).retry_after_seconds == 2);  // 1.5 s rounds up

  // No cool-off at all: still never "Retry-After: 0".
  Fixture none(1, std::chrono::milliseconds(0));
  REQUIRE(none.limiter.Check(1).allowed);
  auto refused = none.limiter.Check(1);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_seconds == 1);
  none.now += 1'000;
  CHECK(none.limiter.Check(1).allowed);
}

TEST_CASE("a rate below one request per second still lets one through", "[rate_limiter]") {
  Fixture f(0.5);
  CHECK(f.limiter.Check(1).allowed);
  CHECK_FALSE(f.limiter.Check(1).allowed);
  f.now += 10'000;  // the cool-off refilled 5 tokens' worth, capped at the burst of 1
  CHECK(f.limiter.Check(1).allowed);
  CHECK_FALSE(f.limiter.Check(1).allowed);
}

TEST_CASE("a clock read a little late does not drain the bucket", "[rate_limiter]") {
  // Threads read the clock before taking the lock, so one may arrive with
  // an older time than the last update. That must not count as negative
  // refill.
  Fixture f(5);
  for (int i = 0; i < 4; ++i) REQUIRE(f.limiter.Check(1).allowed);
  f.now -= 10;
  CHECK(f.limiter.Check(1).allowed);  // the fifth token is still there
  f.now += 10;
  CHECK_FALSE(f.limiter.Check(1).allowed);
}

TEST_CASE("idle users are forgotten and come back with a full bucket", "[rate_limiter]") {
  Fixture f(1);
  CHECK(f.limiter.Check(1).allowed);
  f.now += 120'000;
  CHECK(f.limiter.Check(2).allowed);  // triggers the sweep
  CHECK(f.limiter.Check(1).allowed);
}

TEST_CASE("a user in a long cool-off is not forgotten by the sweep", "[rate_limiter]") {
  Fixture f(1, seconds(300));
  REQUIRE(f.limiter.Check(1).allowed);
  REQUIRE_FALSE(f.limiter.Check(1).allowed);
  f.now += 120'000;
  CHECK(f.limiter.Check(2).allowed);  // sweeps: user 1 has been idle for two minutes
  auto d = f.limiter.Check(1);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_seconds == 180);
}

TEST_CASE("the default clock is a real one", "[rate_limiter]") {
  RateLimiter limiter(5);
  int allowed = 0;
  for (int i = 0; i < 6; ++i) allowed += limiter.Check(1).allowed;
  CHECK(allowed == 5);  // six calls take far less than the 200 ms a token needs
  auto d = limiter.Check(1);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_seconds == 10);
}

TEST_CASE("concurrent requests of one user share one bucket", "[rate_limiter][concurrent]") {
  const int64_t frozen = 5'000;
  RateLimiter limiter(5, seconds(10), [frozen] { return frozen; });
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (limiter.Check(1).allowed) allowed.fetch_add(1);
        limiter.Check(100 + t * 1000 + i);  // and many other users at once
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(allowed.load() == 5);
}

}  // namespace shortlink::admin
