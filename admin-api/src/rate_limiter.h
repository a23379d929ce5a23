// RateLimiter: the Go API's per-user limit. Each user has a token bucket of
// `rate` tokens refilled at `rate` per second (so a burst of `rate` requests
// passes at once). A request that finds the bucket empty is refused, and so
// is every request of that user for the next `cooloff` (10 s: "your incoming
// requests will be blocked for 10 seconds as a cooling off period").
//
// Thread safety: Check may be called from any thread (a mutex; this guards
// the admin API, not the redirect hot path). Memory: users idle for a minute
// are forgotten (their bucket would be full again anyway).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace shortlink::admin {

class RateLimiter {
 public:
  struct Decision {
    bool allowed = true;
    int retry_after_seconds = 0;  // when refused: seconds until the cool-off ends (rounded up)
  };

  // `now_ms` is injectable for tests; defaults to a steady clock.
  explicit RateLimiter(double requests_per_second,
                       std::chrono::milliseconds cooloff = std::chrono::seconds(10),
                       std::function<int64_t()> now_ms = nullptr);

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

}  // namespace shortlink::admin
