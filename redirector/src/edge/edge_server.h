// EdgeServer: the public port. Each worker thread runs its own
// edge-triggered epoll loop with its own SO_REUSEPORT listener, so the
// kernel spreads connections across threads and a connection lives on one
// thread from accept to close: no locks, no cross-thread handoff.
//
// A connection reads into a fixed buffer, answers every complete request
// in it (pipelining, bounded by the output buffer), sends the answers with
// one send(), and reads again only while the last read filled its buffer
// (a short read means the socket is drained; the next edge says when there
// is more). Per request: one recv(), one send(), a share of one
// epoll_wait(), and nothing allocated.
//
// Limits: a request head must be complete within `head_timeout` of its
// first byte (slowloris), an idle keep-alive connection is closed after
// `idle_timeout`, and at most `max_connections` are open at once. Each
// worker sweeps its connections once a second: no timer per request.
//
// The parts: each worker's loop (accept, read, send, sweep) is an
// EdgeWorker (edge/worker.h); answering the requests a connection holds is
// its Answerer (edge/answerer.h); a connection and the framing of its
// requests are edge/connection.h. This class binds the listeners, starts
// the threads and stops them.
//
// Thread safety: Start/Stop from one owning thread; counters from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "clicks/click_counter.h"
#include "common/result.h"
#include "edge/client_address.h"
#include "edge/https_policy.h"
#include "edge/responder.h"
#include "edge/worker_stats.h"
#include "table/link_table.h"

namespace shortlink::redirector {

class EdgeWorker;
class PasswordVerifier;
class TlsFrontend;

struct EdgeServerOptions {
  std::string host = "0.0.0.0";
  unsigned short port = 8080;  // 0: pick one (tests)
  int threads = 1;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds head_timeout{10};
  size_t max_connections = 100000;
  ResponderOptions responder;
  ClientAddressSource client_address = ClientAddressSource::kPeer;
  // The TLS listener (tls/tls_frontend.h has its certificates); none when
  // `tls` is null. Its connections are served as the plain port's.
  TlsFrontend* tls = nullptr;
  std::string tls_host = "0.0.0.0";
  unsigned short tls_port = 8443;  // 0: pick one (tests)
  HttpsPolicy https;               // hosts moved to HTTPS (redirect, HSTS)
};

class EdgeServer {
 public:
  EdgeServer(const LinkTable* table, EdgeServerOptions options);
  ~EdgeServer();  // Stop()

  // Binds every worker's acceptors and starts the threads; the plain port.
  Result<unsigned short> Start();
  // The TLS listener's port, after Start; 0 without one.
  unsigned short tls_port() const { return tls_port_; }
  // Stops accepting, closes connections after the response in progress, joins.
  void Stop();

  size_t open_connections() const { return open_connections_.load(std::memory_order_relaxed); }
  const std::vector<std::unique_ptr<WorkerStats>>& stats() const { return stats_; }
  // Click counters, one per worker, for the flusher and /metrics.
  const std::vector<std::unique_ptr<ThreadClicks>>& clicks() const { return clicks_; }

 private:
  const LinkTable* table_;
  EdgeServerOptions options_;
  Responder responder_;
  std::unique_ptr<PasswordVerifier> verifier_;
  std::atomic<size_t> open_connections_{0};
  unsigned short tls_port_ = 0;
  std::vector<std::unique_ptr<WorkerStats>> stats_;
  std::vector<std::unique_ptr<ThreadClicks>> clicks_;
  std::vector<std::unique_ptr<EdgeWorker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace shortlink::redirector
