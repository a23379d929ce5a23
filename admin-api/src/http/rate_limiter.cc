#include "http/rate_limiter.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace shortlink::admin {
namespace {

constexpr int64_t kIdleForgetMs = 60'000;

int64_t SteadyMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

RateLimiter::RateLimiter(double requests_per_second, std::chrono::milliseconds cooloff,
                         std::function<int64_t()> now_ms)
    : rate_(requests_per_second),
      cooloff_ms_(cooloff.count()),
      now_ms_(now_ms ? std::move(now_ms) : SteadyMillis) {
  assert(requests_per_second > 0);
}

RateLimiter::Decision RateLimiter::Check(uint64_t user) {
  int64_t now = now_ms_();
  std::lock_guard lock(mu_);
  ForgetIdle(now);
  auto [it, inserted] = buckets_.try_emplace(user, Bucket{std::max(1.0, rate_), now});
  Bucket& b = it->second;
  const double capacity = std::max(1.0, rate_);
  auto refuse = [&] {
    // At least 1: "Retry-After: 0" would invite an immediate retry that a
    // zero-length cool-off cannot promise to accept (the bucket is empty).
    int64_t left_ms = b.blocked_until_ms - now;
    int seconds = static_cast<int>(std::max<int64_t>(1, (left_ms + 999) / 1000));
    return Decision{false, seconds, static_cast<uint64_t>(capacity), 0, seconds};
  };
  if (now < b.blocked_until_ms) return refuse();
  // The clock is read before the lock, so a thread may arrive with a time
  // slightly older than the bucket's: count that as no time passing rather
  // than as negative refill.
  int64_t elapsed_ms = std::max<int64_t>(0, now - b.updated_ms);
  b.tokens = std::min(std::max(1.0, rate_), b.tokens + elapsed_ms * rate_ / 1000.0);
  b.updated_ms = std::max(b.updated_ms, now);
  if (b.tokens < 1.0) {
    b.blocked_until_ms = now + cooloff_ms_;
    return refuse();
  }
  b.tokens -= 1.0;
  Decision allowed;
  allowed.limit = static_cast<uint64_t>(capacity);
  allowed.remaining = static_cast<uint64_t>(b.tokens);
  allowed.reset_seconds = static_cast<int64_t>(std::ceil((capacity - b.tokens) / rate_));
  return allowed;
}

void SetRateLimitHeaders(const RateLimiter::Decision& decision, Response* response) {
  response->set("RateLimit-Limit", std::to_string(decision.limit));
  response->set("RateLimit-Remaining", std::to_string(decision.remaining));
  response->set("RateLimit-Reset", std::to_string(decision.reset_seconds));
}

void RateLimiter::ForgetIdle(int64_t now) {
  if (now - last_sweep_ms_ < kIdleForgetMs) return;
  last_sweep_ms_ = now;
  std::erase_if(buckets_, [&](const auto& kv) {
    return now - kv.second.updated_ms > kIdleForgetMs && now >= kv.second.blocked_until_ms;
  });
}

}  // namespace shortlink::admin
