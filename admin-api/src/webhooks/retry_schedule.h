// When a failed webhook delivery is tried again: exponential backoff, as
// Stripe and Dub retry, for a day in all. Steps (with the default base of
// 10 s): 10 s, 30 s, 1 min, 5 min, 30 min, 1 h, then every 2 h, until 24 h
// have passed since the first attempt; then the delivery has failed and its
// subscription is disabled (webhooks/dispatcher.h).
//
// Every step is a multiple of `base_ms`, and the window is a field of its
// own, so tests run the whole schedule in seconds.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>

namespace shortlink::admin::webhooks {

struct RetrySchedule {
  int64_t base_ms = 10'000;  // the first step; milliseconds
  // The give-up point, measured from the first attempt; milliseconds.
  int64_t window_ms = 24 * 3'600'000;

  // The wait after failed attempt number `attempts` (1: the first), or none
  // when the next attempt would start `window_ms` or more after the first
  // (`elapsed_ms` since then): the delivery has failed.
  std::optional<int64_t> NextDelayMs(uint32_t attempts, int64_t elapsed_ms) const;
};

}  // namespace shortlink::admin::webhooks
