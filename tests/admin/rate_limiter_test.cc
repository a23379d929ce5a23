#include "rate_limiter.h"

#include <catch2/catch.hpp>

namespace shortlink::admin {

TEST_CASE("a burst of `rate` passes, the next is refused and starts a 10 s cool-off") {
  int64_t now = 1'000'000;
  RateLimiter limiter(5, std::chrono::seconds(10), [&] { return now; });
  for (int i = 0; i < 5; ++i) CHECK(limiter.Check(1).allowed);
  auto refused = limiter.Check(1);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_seconds == 10);

  now += 2'000;  // the bucket has refilled, but the cool-off holds
  auto still = limiter.Check(1);
  CHECK_FALSE(still.allowed);
  CHECK(still.retry_after_seconds == 8);

  now += 8'000;  // cool-off over
  CHECK(limiter.Check(1).allowed);
}

TEST_CASE("tokens refill at the rate, so a steady 5/s never trips the limit") {
  int64_t now = 0;
  RateLimiter limiter(5, std::chrono::seconds(10), [&] { return now; });
  for (int i = 0; i < 100; ++i) {
    REQUIRE(limiter.Check(7).allowed);
    now += 200;  // exactly 5 per second
  }
}

TEST_CASE("users are limited independently") {
  int64_t now = 0;
  RateLimiter limiter(2, std::chrono::seconds(10), [&] { return now; });
  CHECK(limiter.Check(1).allowed);
  CHECK(limiter.Check(1).allowed);
  CHECK_FALSE(limiter.Check(1).allowed);
  CHECK(limiter.Check(2).allowed);
  CHECK(limiter.Check(2).allowed);
}

TEST_CASE("a rate below one request per second still lets one through") {
  int64_t now = 0;
  RateLimiter limiter(0.5, std::chrono::seconds(10), [&] { return now; });
  CHECK(limiter.Check(1).allowed);
  CHECK_FALSE(limiter.Check(1).allowed);
}

TEST_CASE("idle users are forgotten and come back with a full bucket") {
  int64_t now = 0;
  RateLimiter limiter(1, std::chrono::seconds(10), [&] { return now; });
  CHECK(limiter.Check(1).allowed);
  now += 120'000;
  CHECK(limiter.Check(2).allowed);  // triggers the sweep
  CHECK(limiter.Check(1).allowed);
}

}  // namespace shortlink::admin
