// Counters of one edge worker: written only by its thread (single-writer
// bumps, no locked instruction on the hot path), read by /metrics.
#pragma once

#include <atomic>
#include <cstdint>

namespace shortlink::redirector {

struct WorkerStats {
  std::atomic<uint64_t> responses_2xx{0};  // tracker pages
  std::atomic<uint64_t> responses_3xx{0};
  std::atomic<uint64_t> responses_404{0};
  std::atomic<uint64_t> responses_4xx_other{0};
  std::atomic<uint64_t> responses_5xx{0};
  std::atomic<uint64_t> hits{0};
  std::atomic<uint64_t> misses{0};
  std::atomic<uint64_t> unsafe_targets{0};
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> connections_refused{0};
  std::atomic<uint64_t> tls_handshakes{0};  // finished; resumed ones counted in both
  std::atomic<uint64_t> tls_resumed{0};
  std::atomic<uint64_t> tls_handshake_failures{0};  // connections closed before finishing one
};

// The owning thread's bump: a relaxed load and store, not an atomic add.
inline void Bump(std::atomic<uint64_t>& counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace shortlink::redirector
