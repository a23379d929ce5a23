// WaitUntil: how tests wait for another thread or process without a fixed
// sleep, which would be either flaky or slow.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace shortlink::testing {

// Polls `predicate` until it holds or `timeout` passes; returns its last value.
inline bool WaitUntil(const std::function<bool()>& predicate,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return predicate();
}

}  // namespace shortlink::testing
