#include "webhooks/retry_schedule.h"

#include <array>

namespace shortlink::admin::webhooks {
namespace {

// In bases (10 s each by default): 10 s, 30 s, 1 min, 5 min, 30 min, 1 h;
// then every 2 h.
constexpr std::array<int64_t, 6> kSteps = {1, 3, 6, 30, 180, 360};
constexpr int64_t kLaterStep = 720;

}  // namespace

std::optional<int64_t> RetrySchedule::NextDelayMs(uint32_t attempts, int64_t elapsed_ms) const {
  if (attempts == 0) return 0;
  int64_t step = attempts <= kSteps.size() ? kSteps[attempts - 1] : kLaterStep;
  int64_t delay = step * base_ms;
  if (elapsed_ms + delay >= window_ms) return std::nullopt;
  return delay;
}

}  // namespace shortlink::admin::webhooks
