// RateLimiter: the Go API's per-user limit ("a default rate limit of 5
// requests per second for each user ... your incoming requests will be
// blocked for 10 seconds as a cooling off period").
//
// Each user has a token bucket holding up to `rate` tokens (at least one),
// refilled at `rate` tokens per second. The burst equals the rate on
// purpose: "5 requests per second" then means what a client expects, five
// requests sent together pass and a sixth in the same second does not; a
// stricter one-every-200-ms spacing would refuse honest clients that fire a
// few requests at once. A request that finds the bucket empty is refused,
// and so is every request of that user until `cooloff` has passed; requests
// refused during the cool-off do not extend it. After the cool-off the
// bucket is full again.
//
// Thread safety: Check may be called from any thread (one mutex; this guards
// the admin API, not the redirect hot path).
// Memory: one small entry per user seen in the last minute; users idle for
// a minute are forgotten (their bucket would be full again anyway). Only
// authenticated users are checked, so the map is bounded by the user count.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "http/http_types.h"

namespace shortlink::admin {

class RateLimiter {
 public:
  struct Decision {
    bool allowed = true;
    // When refused: whole seconds until the cool-off ends, rounded up and
    // at least 1 (the value of the Retry-After header).
    int retry_after_seconds = 0;
    // The budget as the RateLimit headers report it (IETF draft
    // "RateLimit header fields for HTTP"): the bucket's size, the whole
    // requests left in it after this one (0 when refused), and whole
    // seconds, rounded up, until it is full again (while cooling off:
    // until the cool-off ends, when it is full).
    uint64_t limit = 0;
    uint64_t remaining = 0;
    int64_t reset_seconds = 0;
  };

  // `requests_per_second` must be above 0: there is no "unlimited" value;
  // the --rate-limit option refuses anything else (serve.cc), and an
  // operator who wants no limit sets a very large rate. `now_ms` returns
  // milliseconds on any steady scale; it is injectable for tests and
  // defaults to std::chrono::steady_clock.
  explicit RateLimiter(double requests_per_second,
                       std::chrono::milliseconds cooloff = std::chrono::seconds(10),
                       std::function<int64_t()> now_ms = nullptr);

  // Counts one request of `user` and says whether it may proceed.
  Decision Check(uint64_t user);

 private:
  struct Bucket {
    double tokens;
    int64_t updated_ms;
    int64_t blocked_until_ms = 0;
  };
  void ForgetIdle(int64_t now);

  const double rate_;
  const int64_t cooloff_ms_;
  const std::function<int64_t()> now_ms_;
  std::mutex mu_;
  std::unordered_map<uint64_t, Bucket> buckets_;  // GUARDED_BY(mu_)
  int64_t last_sweep_ms_ = 0;                     // GUARDED_BY(mu_)
};

// Sets RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset from
// `decision` on `response`.
void SetRateLimitHeaders(const RateLimiter::Decision& decision, Response* response);

}  // namespace shortlink::admin
