// PasswordHasher: argon2id hashing of link passwords on threads of its own.
//
// HashPassword (common/password.h) takes 30-60 ms of a core, on purpose. On
// an Asio I/O thread it would stall every connection served by that thread;
// on LinkService's writer it would stall every commit. A small pool bounds
// what hashing can take (`threads` cores at most); a request awaits its
// hashes there and resumes on its own executor, as AsyncSubmit does for
// commits.
//
// The queue is bounded too: past `max_pending` hashes waiting or running, a
// new request is refused with kUnavailable (503) at once rather than left to
// wait behind seconds of work.
//
// Thread safety: Hash may be awaited from any executor, concurrently.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"

namespace shortlink::admin {

class PasswordHasher {
 public:
  explicit PasswordHasher(size_t threads = 2, size_t max_pending = 256);
  // Stops the pool: hashes still queued are dropped, and the coroutines
  // awaiting them destroyed without resuming. Destroy it before the
  // io_context its callers run on.
  ~PasswordHasher();

  // The argon2id hash of each of `passwords`, in order, computed in
  // parallel on the pool. Fails as a whole: kUnavailable when the queue is
  // full (nothing was hashed), kInternal when libsodium could not hash.
  boost::asio::awaitable<Result<std::vector<std::string>>> Hash(std::vector<std::string> passwords);

  size_t pending() const { return pending_.load(); }

 private:
  boost::asio::thread_pool pool_;
  const size_t max_pending_;
  std::atomic<size_t> pending_{0};
};

}  // namespace shortlink::admin
