// EdgeWorker: one thread of the public port, with its own edge-triggered
// epoll set and its own SO_REUSEPORT listener, the way nginx runs: it
// accepts, reads each socket until a read comes back short (then the next
// edge says when there is more), hands what it read to its Answerer
// (edge/answerer.h), sends the answers at once with send(), and cares for
// EPOLLOUT only when a send would block. Per request: one recv(), one
// send(), and a share of an epoll_wait(). (Asio's async_read_some made a
// second recv() per request, failing with EAGAIN, because it tries a read
// before waiting for one.)
//
// A connection gets a bounded turn (kMaxPassesPerTurn passes of answer,
// send, read), then waits behind the others. Once a second the worker
// sweeps its connections for the head and idle timeouts, refreshes its Date
// and ticks its click counter: no timer per request.
//
// Thread safety: Open before Run; Run on the worker's own thread;
// RequestStop from any thread. Password verdicts come back from the
// verifier's pool through a mutex-guarded list and the worker's eventfd.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "clicks/click_counter.h"
#include "common/result.h"
#include "edge/answerer.h"
#include "edge/client_address.h"
#include "edge/connection.h"
#include "edge/https_policy.h"
#include "edge/responder.h"
#include "edge/worker_stats.h"
#include "rules/password_verifier.h"
#include "table/link_table.h"
#include "tls/tls_frontend.h"

namespace shortlink::redirector {

// What the workers of one EdgeServer share; it outlives them.
struct WorkerShared {
  const LinkTable* table = nullptr;
  const Responder* responder = nullptr;
  PasswordVerifier* verifier = nullptr;
  std::atomic<size_t>* open_connections = nullptr;  // across workers, for max_connections
  size_t max_connections = 0;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds head_timeout{10};
  ClientAddressSource client_address = ClientAddressSource::kPeer;
  TlsFrontend* tls = nullptr;          // the TLS listener's certificates; null without one
  const HttpsPolicy* https = nullptr;  // hosts moved to HTTPS; null: none
};

class EdgeWorker {
 public:
  EdgeWorker(const WorkerShared& shared, WorkerStats* stats, ThreadClicks* clicks, int index);
  ~EdgeWorker();  // closes what connections are left
  EdgeWorker(const EdgeWorker&) = delete;
  EdgeWorker& operator=(const EdgeWorker&) = delete;

  // Takes `listen_fd` and `tls_listen_fd` (non-blocking, listening; -1:
  // no TLS listener) and sets up the event loop.
  Status Open(int listen_fd, int tls_listen_fd = -1);
  // The loop, until RequestStop and the drain that follows it.
  void Run();
  // Stops accepting; connections close after the response in progress.
  void RequestStop();

 private:
  // A verdict from the verifier's pool, handed to the worker's thread.
  struct VerdictDelivery {
    Connection* connection;
    PasswordVerifier::Verdict verdict;
  };

  void UpdateDate();
  void Wake();
  bool Watch(int fd, uint32_t events, void* tag);
  void OnWake(int64_t* stop_deadline);
  void AcceptAll(bool tls);
  // A TLS session for `c` on the certificates as they are now.
  bool StartTls(Connection* c);
  void ResumeAccepting();
  static void RememberPeer(Connection* c, const struct sockaddr_storage& peer);
  void Link(Connection* c);
  void Destroy(Connection* c);
  void OnEvent(Connection* c, uint32_t events);
  void RunReady();
  // Sends what is in `out`; false when the connection waits for EPOLLOUT
  // or was destroyed.
  bool Flush(Connection* c);
  // Reads into `in` with recv() or TLS; as recv() returns. Sets `readable`
  // false once the socket is drained, `writing` when a handshake waits to send.
  ssize_t Receive(Connection* c, size_t space);
  void CountHandshake(Connection* c);
  // Answers, sends and reads until the socket would block, the connection
  // waits for a password check, or it has had its turn.
  void Drive(Connection* c);
  // Hands the password to the verifier; the connection neither reads nor
  // writes until the verdict comes back, then answers this same request.
  void StartPasswordCheck(Connection* c);
  void DeliverVerdicts();
  void Sweep();
  void Shutdown();

  const WorkerShared shared_;
  WorkerStats* stats_;
  ThreadClicks* clicks_;
  Answerer answerer_;
  PasswordCheck check_;  // filled by the answerer, handed to the verifier (kept: no per-pass cost)
  int listen_fd_ = -1;
  int tls_listen_fd_ = -1;
  std::shared_ptr<const CertStore> certs_;  // the TLS certificates as this thread last saw them
  uint64_t certs_generation_ = 0;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: RequestStop() and the verifier's verdicts
  Connection* connections_ = nullptr;
  std::vector<Connection*> ready_;  // connections with work left after their turn
  std::vector<Connection*> turn_;   // RunReady's copy of `ready_` (kept: no allocation per turn)
  int64_t now_ms_ = 0;              // read once per loop turn
  int64_t accept_resume_ms_ = 0;  // accepting paused until then (out of descriptors); 0: not paused
  bool stopping_ = false;
  char date_[32];
  size_t date_len_ = 0;
  long date_second_ = 0;

  std::atomic<bool> stop_requested_{false};
  std::mutex deliveries_mu_;
  std::vector<VerdictDelivery> deliveries_;  // GUARDED_BY(deliveries_mu_)
};

}  // namespace shortlink::redirector
