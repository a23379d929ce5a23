#include "edge/worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <ctime>
#include <string>

#include "edge/tls_io.h"

namespace shortlink::redirector {
namespace {

constexpr int kMaxPassesPerTurn = 8;  // then other connections get their turn
constexpr int kMaxEvents = 256;
constexpr int64_t kStopDrainMs = 1000;  // how long a stop lets writes in progress finish
constexpr int64_t kAcceptRetryMs = 50;  // after a failed accept (EMFILE)
constexpr int64_t kSweepIntervalMs = 1000;

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// epoll data tags for the descriptors that are not connections.
char g_listen_tag, g_tls_listen_tag, g_wake_tag;

}  // namespace

EdgeWorker::EdgeWorker(const WorkerShared& shared, WorkerStats* stats, ThreadClicks* clicks,
                       int index)
    : shared_(shared),
      stats_(stats),
      clicks_(clicks),
      answerer_(shared.responder, shared.table, shared.client_address, stats, clicks,
                0x9e3779b97f4a7c15ull ^ (static_cast<uint64_t>(NowMs()) << 8) ^
                    static_cast<uint64_t>(index),
                shared.https) {
  UpdateDate();
  ready_.reserve(1024);
  turn_.reserve(1024);
}

EdgeWorker::~EdgeWorker() {
  while (connections_) Destroy(connections_);
  if (listen_fd_ >= 0) close(listen_fd_);
  if (tls_listen_fd_ >= 0) close(tls_listen_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

Status EdgeWorker::Open(int listen_fd, int tls_listen_fd) {
  listen_fd_ = listen_fd;
  tls_listen_fd_ = tls_listen_fd;
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0 || !Watch(listen_fd_, EPOLLIN, &g_listen_tag) ||
      (tls_listen_fd_ >= 0 && !Watch(tls_listen_fd_, EPOLLIN, &g_tls_listen_tag)) ||
      !Watch(wake_fd_, EPOLLIN, &g_wake_tag)) {
    return MakeError(ErrorCode::kUnavailable,
                     std::string("cannot set up the edge's event loop: ") + strerror(errno));
  }
  return Status::Ok();
}

void EdgeWorker::RequestStop() {
  stop_requested_.store(true, std::memory_order_release);
  Wake();
}

void EdgeWorker::UpdateDate() {
  long now = static_cast<long>(time(nullptr));
  if (now == date_second_) return;
  date_second_ = now;
  std::string d = FormatHttpDate(now);
  date_len_ = std::min(d.size(), sizeof date_);
  memcpy(date_, d.data(), date_len_);
}

void EdgeWorker::Wake() {
  uint64_t one = 1;
  ssize_t ignored = write(wake_fd_, &one, sizeof one);
  (void)ignored;  // the counter saturating still leaves the fd readable
}

bool EdgeWorker::Watch(int fd, uint32_t events, void* tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = tag;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void EdgeWorker::Run() {
  epoll_event events[kMaxEvents];
  now_ms_ = NowMs();
  int64_t next_sweep = now_ms_ + kSweepIntervalMs;
  int64_t stop_deadline = 0;
  for (;;) {
    if (stopping_ && (!connections_ || now_ms_ >= stop_deadline)) break;
    int64_t wake_at = next_sweep;
    if (accept_resume_ms_) wake_at = std::min(wake_at, accept_resume_ms_);
    if (stopping_) wake_at = std::min(wake_at, stop_deadline);
    int timeout = ready_.empty() ? static_cast<int>(std::max<int64_t>(0, wake_at - now_ms_)) : 0;
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout);
    now_ms_ = NowMs();
    bool woken = false;
    for (int i = 0; i < n; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == &g_listen_tag)
        AcceptAll(false);
      else if (tag == &g_tls_listen_tag)
        AcceptAll(true);
      else if (tag == &g_wake_tag)
        woken = true;
      else
        OnEvent(static_cast<Connection*>(tag), events[i].events);
    }
    // After the connections' events, never among them: a verdict's
    // connection found closed, or a shutdown, destroys connections that
    // later events of the same batch would still point to.
    if (woken) OnWake(&stop_deadline);
    RunReady();
    if (accept_resume_ms_ && now_ms_ >= accept_resume_ms_) ResumeAccepting();
    if (now_ms_ >= next_sweep) {
      Sweep();
      next_sweep = now_ms_ + kSweepIntervalMs;
    }
  }
  // Connections left (a client that does not read its answers, a check in
  // progress) are closed by EdgeServer::Stop once the verifier has stopped.
}

void EdgeWorker::OnWake(int64_t* stop_deadline) {
  uint64_t count;
  ssize_t ignored = read(wake_fd_, &count, sizeof count);
  (void)ignored;
  if (stop_requested_.load(std::memory_order_acquire) && !stopping_) {
    Shutdown();
    *stop_deadline = now_ms_ + kStopDrainMs;
  }
  DeliverVerdicts();
}

void EdgeWorker::AcceptAll(bool tls) {
  int listen_fd = tls ? tls_listen_fd_ : listen_fd_;
  // A TLS accept is followed at once by the server's handshake flight,
  // ~0.1-0.3 ms of crypto: one per loop turn, so a burst of new connections
  // does not hold up the open ones (the listener is level-triggered: the
  // rest are taken on the next turns, as nginx does without multi_accept).
  for (int budget = tls ? 1 : INT_MAX; budget > 0; --budget) {
    sockaddr_storage peer{};
    socklen_t peer_size = sizeof peer;
    int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &peer_size,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: accept fails again at once while the
        // connection waits in the backlog, so a level-triggered listener
        // would spin this worker's core (found by tests/e2e/test_hostile.py).
        // Stop watching the listeners for a while.
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
        if (tls_listen_fd_ >= 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, tls_listen_fd_, nullptr);
        accept_resume_ms_ = now_ms_ + kAcceptRetryMs;
      }
      return;  // EAGAIN: the backlog is empty
    }
    if (shared_.open_connections->fetch_add(1, std::memory_order_relaxed) >=
        shared_.max_connections) {
      shared_.open_connections->fetch_sub(1, std::memory_order_relaxed);
      Bump(stats_->connections_refused);
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto* c = new Connection;
    c->fd = fd;
    RememberPeer(c, peer);
    c->last_activity_ms = now_ms_;
    c->head_started_ms = now_ms_;  // a new connection owes us a head
    Link(c);
    if ((tls && !StartTls(c)) || !Watch(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, c)) {
      Destroy(c);
      continue;
    }
    Drive(c);  // bytes may have come with the connection
  }
}

bool EdgeWorker::StartTls(Connection* c) {
  // One atomic load per accept; the mutex only once per reload.
  if (shared_.tls->generation() != certs_generation_)
    certs_ = shared_.tls->Current(&certs_generation_);
  c->tls_store = certs_;
  c->ssl = NewTlsSession(certs_->default_context(), c);
  return c->ssl != nullptr;
}

void EdgeWorker::ResumeAccepting() {
  accept_resume_ms_ = 0;
  if (stopping_) return;
  Watch(listen_fd_, EPOLLIN, &g_listen_tag);
  if (tls_listen_fd_ >= 0) Watch(tls_listen_fd_, EPOLLIN, &g_tls_listen_tag);
  AcceptAll(false);
  if (tls_listen_fd_ >= 0) AcceptAll(true);
}

void EdgeWorker::RememberPeer(Connection* c, const sockaddr_storage& peer) {
  if (peer.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(peer);
    memcpy(c->peer, &a.sin6_addr, 16);
    c->peer_len = 16;
  } else {
    const auto& a = reinterpret_cast<const sockaddr_in&>(peer);
    memcpy(c->peer, &a.sin_addr, 4);
    c->peer_len = 4;
  }
}

void EdgeWorker::Link(Connection* c) {
  c->next = connections_;
  if (connections_) connections_->prev = c;
  connections_ = c;
}

void EdgeWorker::Destroy(Connection* c) {
  if (c->prev)
    c->prev->next = c->next;
  else
    connections_ = c->next;
  if (c->next) c->next->prev = c->prev;
  if (c->queued) {
    for (Connection*& r : ready_) {
      if (r == c) r = nullptr;
    }
  }
  if (c->ssl) {
    if (!c->handshaken) Bump(stats_->tls_handshake_failures);
    SSL_free(c->ssl);
  }
  close(c->fd);  // also removes it from the epoll set
  shared_.open_connections->fetch_sub(1, std::memory_order_relaxed);
  delete c;
}

void EdgeWorker::OnEvent(Connection* c, uint32_t events) {
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->readable = true;
  if (c->verifying || c->queued) return;  // resumes when the verdict comes / on its turn
  // A TLS write may wait for a read (the peer's key update): TLS
  // connections try again on any event.
  if (c->writing && !c->ssl && !(events & (EPOLLOUT | EPOLLHUP | EPOLLERR))) return;
  Drive(c);
}

void EdgeWorker::RunReady() {
  if (ready_.empty()) return;
  turn_.swap(ready_);  // a connection that uses up its turn again waits for the next one
  for (Connection* c : turn_) {
    if (c == nullptr) continue;  // destroyed while waiting
    c->queued = false;
    Drive(c);
  }
  turn_.clear();
}

bool EdgeWorker::Flush(Connection* c) {
  while (c->out_sent < c->out_len) {
    const char* data = c->out + c->out_sent;
    size_t size = c->out_len - c->out_sent;
    bool want_write;  // either way the connection waits: any event drives TLS again
    ssize_t n =
        c->ssl ? TlsWrite(c, data, size, &want_write) : send(c->fd, data, size, MSG_NOSIGNAL);
    if (n > 0) {
      c->out_sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!c->writing) c->write_started_ms = now_ms_;
      c->writing = true;
      return false;
    }
    Destroy(c);  // the peer is gone
    return false;
  }
  c->out_len = c->out_sent = 0;
  c->writing = false;
  c->last_activity_ms = now_ms_;
  if (c->closing || stopping_) {
    if (c->ssl) TlsClose(c);
    shutdown(c->fd, SHUT_RDWR);
    Destroy(c);
    return false;
  }
  return true;
}

void EdgeWorker::Drive(Connection* c) {
  for (int pass = 0;; ++pass) {
    if (c->out_len > 0 && !Flush(c)) return;
    if (pass == kMaxPassesPerTurn) {
      c->queued = true;
      ready_.push_back(c);
      return;
    }
    switch (answerer_.Answer(c, std::string_view(date_, date_len_), now_ms_, &check_)) {
      case Answerer::Answered::kAnswered:
        continue;  // send it, then look again
      case Answerer::Answered::kChecking:
        return StartPasswordCheck(c);
      case Answerer::Answered::kNothing:
        break;
    }
    if (c->closing) return Destroy(c);
    // TLS may hold records it has read but not yet decrypted.
    if ((!c->readable && !(c->ssl && SSL_has_pending(c->ssl))) || stopping_) return;
    size_t space = kInBufferBytes - c->in_len;
    if (space == 0) return;  // cannot happen: the answerer refuses a head that fills `in`
    ssize_t n = Receive(c, space);
    if (n > 0) {
      c->in_len += static_cast<size_t>(n);
      c->last_activity_ms = now_ms_;
      if (c->head_started_ms == 0) c->head_started_ms = now_ms_;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (c->ssl && c->readable && !c->writing) continue;  // TLS took a record of its own
      c->readable = false;
      return;
    }
    return Destroy(c);  // the peer closed, or an error
  }
}

ssize_t EdgeWorker::Receive(Connection* c, size_t space) {
  if (!c->ssl) {
    ssize_t n = recv(c->fd, c->in + c->in_len, space, 0);
    if (n > 0 && static_cast<size_t>(n) < space)
      c->readable = false;  // drained: the next edge tells
    return n;
  }
  c->writing = false;  // a handshake that waited to send tries again
  bool want_write;
  ssize_t n = TlsRead(c, c->in + c->in_len, space, &want_write);  // the BIO tracks `readable`
  if (!c->handshaken && SSL_is_init_finished(c->ssl)) CountHandshake(c);
  if (n < 0 && errno == EAGAIN && want_write) {
    c->writing = true;
    c->write_started_ms = now_ms_;
  }
  return n;
}

void EdgeWorker::CountHandshake(Connection* c) {
  c->handshaken = true;
  Bump(stats_->tls_handshakes);
  if (TlsResumed(c)) Bump(stats_->tls_resumed);
}

void EdgeWorker::StartPasswordCheck(Connection* c) {
  shared_.verifier->Verify(std::move(check_.hash), std::move(check_.form), std::move(check_.client),
                           [this, c](PasswordVerifier::Verdict verdict) {
                             {
                               std::lock_guard<std::mutex> lock(deliveries_mu_);
                               deliveries_.push_back({c, verdict});
                             }
                             Wake();
                           });
}

void EdgeWorker::DeliverVerdicts() {
  std::vector<VerdictDelivery> arrived;
  {
    std::lock_guard<std::mutex> lock(deliveries_mu_);
    arrived.swap(deliveries_);
  }
  for (const VerdictDelivery& d : arrived) {
    Connection* c = d.connection;
    c->verifying = false;
    if (stopping_) {
      Destroy(c);
      continue;
    }
    c->verdict = d.verdict;
    c->has_verdict = true;
    c->last_activity_ms = now_ms_;
    Drive(c);
  }
}

void EdgeWorker::Sweep() {
  UpdateDate();
  clicks_->Tick();
  if (stopping_) return;
  int64_t head_limit = std::chrono::milliseconds(shared_.head_timeout).count();
  int64_t idle_limit = std::chrono::milliseconds(shared_.idle_timeout).count();
  for (Connection* c = connections_; c;) {
    Connection* next = c->next;
    if (c->verifying) {
      // the verifier answers within its own limits
    } else if (c->writing) {
      // A client that stops reading its answers holds a write open; past
      // the idle limit it is as idle as one that sends nothing.
      if (now_ms_ - c->write_started_ms > idle_limit) {
        Bump(stats_->timeouts);
        Destroy(c);
      }
    } else {
      bool head_late = c->head_started_ms && now_ms_ - c->head_started_ms > head_limit;
      bool idle = c->in_len == 0 && now_ms_ - c->last_activity_ms > idle_limit;
      if (head_late || idle) {
        if (head_late) Bump(stats_->timeouts);
        Destroy(c);
      }
    }
    c = next;
  }
}

void EdgeWorker::Shutdown() {
  stopping_ = true;
  close(listen_fd_);  // also leaves the epoll set
  listen_fd_ = -1;
  if (tls_listen_fd_ >= 0) close(tls_listen_fd_);
  tls_listen_fd_ = -1;
  accept_resume_ms_ = 0;
  // A write in progress finishes (within kStopDrainMs: a client that does
  // not read its answers must not hold up a shutdown), then the connection
  // closes; a check in progress ends when its verdict comes.
  for (Connection* c = connections_; c;) {
    Connection* next = c->next;
    if (!c->writing && !c->verifying) Destroy(c);
    c = next;
  }
}

}  // namespace shortlink::redirector
