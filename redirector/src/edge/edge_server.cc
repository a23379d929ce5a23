#include "edge/edge_server.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <ctime>
#include <mutex>

#include "common/log.h"
#include "common/thread_name.h"
#include "rules/password_verifier.h"

namespace shortlink::redirector {
namespace {

constexpr size_t kInBufferBytes = kMaxHead + 4096;  // one maximal head plus pipelined followers
constexpr size_t kOutBufferBytes = 16 * kMaxResponseBytes;  // answers written in one go
constexpr int kMaxPipelined = 32;                           // requests answered per pass
constexpr int kMaxPassesPerTurn = 8;                        // then other connections get their turn
constexpr int kMaxEvents = 256;
constexpr int64_t kStopDrainMs = 1000;  // how long Stop lets writes in progress finish
constexpr int64_t kAcceptRetryMs = 50;  // after a failed accept (EMFILE)
constexpr int64_t kSweepIntervalMs = 1000;

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Single-writer counter bump: no locked instruction on the hot path.
void Bump(std::atomic<uint64_t>& c) {
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

// epoll data tags for the two descriptors that are not connections.
char g_listen_tag, g_wake_tag;

}  // namespace

std::string_view ClientAddress(ClientAddressSource source, const RequestHead& head,
                               std::string_view peer) {
  std::string_view value;
  if (source == ClientAddressSource::kXForwardedFor) {
    value = head.forwarded_for;
    if (size_t comma = value.rfind(','); comma != std::string_view::npos)
      value.remove_prefix(comma + 1);
  } else if (source == ClientAddressSource::kXRealIp) {
    value = head.real_ip;
  }
  value = TrimOws(value);
  return value.empty() ? peer : value;
}

// A worker is one thread with its own edge-triggered epoll set and its own
// SO_REUSEPORT listener, the way nginx runs: a socket is read until a read
// comes back short (then the next edge says when there is more), answers
// are sent at once with send(), and EPOLLOUT matters only when a send
// would block. Per request: one recv(), one send(), and a share of an
// epoll_wait(). (Asio's async_read_some made a second recv() per request,
// failing with EAGAIN, because it tries a read before waiting for one.)
struct EdgeServer::Worker {
  struct Connection {
    int fd = -1;
    Connection* prev = nullptr;  // the worker's list, for the sweeper
    Connection* next = nullptr;
    size_t in_len = 0;
    size_t scanned = 0;  // bytes of `in` already searched for the end of a head
    size_t out_len = 0;
    size_t out_sent = 0;
    int64_t head_started_ms = 0;  // first byte of an unfinished head; 0 when none
    int64_t last_activity_ms = 0;
    int64_t write_started_ms = 0;
    bool readable = true;  // the socket may hold unread bytes (no short read since the last edge)
    bool writing = false;  // a send would block: waiting for EPOLLOUT
    bool closing = false;
    bool queued = false;                // in `ready`: more to do after other connections' turn
    bool verifying = false;             // a POSTed password is being checked: the connection waits
    PasswordVerifier::Verdict verdict;  // the check's result, for the request it was for
    bool has_verdict = false;
    uint8_t peer_len = 0;
    char peer[16];  // the client's address bytes (4 or 16), for unique clicks and guess limits
    char code[kCodeBufferBytes];
    char in[kInBufferBytes];
    char out[kOutBufferBytes];
  };

  // A verdict from the verifier's pool, handed to the worker's thread.
  struct VerdictDelivery {
    Connection* connection;
    PasswordVerifier::Verdict verdict;
  };

  Worker(EdgeServer* server, int index)
      : server(server),
        stats(server->stats_[index].get()),
        clicks(server->clicks_[index].get()),
        rng_state(0x9e3779b97f4a7c15ull ^ (static_cast<uint64_t>(NowMs()) << 8) ^
                  static_cast<uint64_t>(index)) {
    UpdateDate();
    ready.reserve(1024);
    turn.reserve(1024);
  }
  ~Worker() {
    while (connections) Destroy(connections);
    if (listen_fd >= 0) close(listen_fd);
    if (wake_fd >= 0) close(wake_fd);
    if (epoll_fd >= 0) close(epoll_fd);
  }

  uint32_t NextRandom() {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return static_cast<uint32_t>(rng_state >> 32);
  }

  EdgeServer* server;
  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;  // eventfd: Stop() and the verifier's verdicts
  WorkerStats* stats;
  ThreadClicks* clicks;
  Connection* connections = nullptr;
  std::vector<Connection*> ready;  // connections with work left after their turn
  std::vector<Connection*> turn;   // RunReady's copy of `ready` (kept: no allocation per turn)
  uint64_t rng_state;              // xorshift64: A/B buckets need a random number, not a secure one
  int64_t now_ms = 0;              // read once per loop turn
  int64_t accept_resume_ms = 0;  // accepting paused until then (out of descriptors); 0: not paused
  bool stopping = false;
  char date[32];
  size_t date_len = 0;
  long date_second = 0;

  std::atomic<bool> stop_requested{false};
  std::mutex deliveries_mu;
  std::vector<VerdictDelivery> deliveries;  // GUARDED_BY(deliveries_mu)

  void UpdateDate() {
    long now = static_cast<long>(time(nullptr));
    if (now == date_second) return;
    date_second = now;
    std::string d = FormatHttpDate(now);
    date_len = std::min(d.size(), sizeof date);
    memcpy(date, d.data(), date_len);
  }

  void Wake() {
    uint64_t one = 1;
    ssize_t ignored = write(wake_fd, &one, sizeof one);
    (void)ignored;  // the counter saturating still leaves the fd readable
  }

  bool Watch(int fd, uint32_t events, void* tag) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = tag;
    return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
  }

  void Run() {
    epoll_event events[kMaxEvents];
    now_ms = NowMs();
    int64_t next_sweep = now_ms + kSweepIntervalMs;
    int64_t stop_deadline = 0;
    for (;;) {
      if (stopping && (!connections || now_ms >= stop_deadline)) break;
      int64_t wake_at = next_sweep;
      if (accept_resume_ms) wake_at = std::min(wake_at, accept_resume_ms);
      if (stopping) wake_at = std::min(wake_at, stop_deadline);
      int timeout = ready.empty() ? static_cast<int>(std::max<int64_t>(0, wake_at - now_ms)) : 0;
      int n = epoll_wait(epoll_fd, events, kMaxEvents, timeout);
      now_ms = NowMs();
      bool woken = false;
      for (int i = 0; i < n; ++i) {
        void* tag = events[i].data.ptr;
        if (tag == &g_listen_tag)
          AcceptAll();
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
      if (accept_resume_ms && now_ms >= accept_resume_ms) ResumeAccepting();
      if (now_ms >= next_sweep) {
        Sweep();
        next_sweep = now_ms + kSweepIntervalMs;
      }
    }
    // Connections left (a client that does not read its answers, a check in
    // progress) are closed by EdgeServer::Stop once the verifier has stopped.
  }

  void OnWake(int64_t* stop_deadline) {
    uint64_t count;
    ssize_t ignored = read(wake_fd, &count, sizeof count);
    (void)ignored;
    if (stop_requested.load(std::memory_order_acquire) && !stopping) {
      Shutdown();
      *stop_deadline = now_ms + kStopDrainMs;
    }
    DeliverVerdicts();
  }

  void AcceptAll() {
    for (;;) {
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
          // Stop watching it for a while.
          epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
          accept_resume_ms = now_ms + kAcceptRetryMs;
        }
        return;  // EAGAIN: the backlog is empty
      }
      if (server->open_connections_.fetch_add(1, std::memory_order_relaxed) >=
          server->options_.max_connections) {
        server->open_connections_.fetch_sub(1, std::memory_order_relaxed);
        Bump(stats->connections_refused);
        close(fd);
        continue;
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto* c = new Connection;
      c->fd = fd;
      RememberPeer(c, peer);
      c->last_activity_ms = now_ms;
      c->head_started_ms = now_ms;  // a new connection owes us a head
      Link(c);
      if (!Watch(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, c)) {
        Destroy(c);
        continue;
      }
      Drive(c);  // bytes may have come with the connection
    }
  }

  void ResumeAccepting() {
    accept_resume_ms = 0;
    if (stopping) return;
    Watch(listen_fd, EPOLLIN, &g_listen_tag);
    AcceptAll();
  }

  static void RememberPeer(Connection* c, const sockaddr_storage& peer) {
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

  void Link(Connection* c) {
    c->next = connections;
    if (connections) connections->prev = c;
    connections = c;
  }

  void Destroy(Connection* c) {
    if (c->prev)
      c->prev->next = c->next;
    else
      connections = c->next;
    if (c->next) c->next->prev = c->prev;
    if (c->queued) {
      for (Connection*& r : ready) {
        if (r == c) r = nullptr;
      }
    }
    close(c->fd);  // also removes it from the epoll set
    server->open_connections_.fetch_sub(1, std::memory_order_relaxed);
    delete c;
  }

  void OnEvent(Connection* c, uint32_t events) {
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->readable = true;
    if (c->verifying || c->queued) return;  // resumes when the verdict comes / on its turn
    if (c->writing && !(events & (EPOLLOUT | EPOLLHUP | EPOLLERR))) return;
    Drive(c);
  }

  void RunReady() {
    if (ready.empty()) return;
    turn.swap(ready);  // a connection that uses up its turn again waits for the next one
    for (Connection* c : turn) {
      if (c == nullptr) continue;  // destroyed while waiting
      c->queued = false;
      Drive(c);
    }
    turn.clear();
  }

  // Sends what is in `out`; false when the connection waits for EPOLLOUT
  // or was destroyed.
  bool Flush(Connection* c) {
    while (c->out_sent < c->out_len) {
      ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
      if (n > 0) {
        c->out_sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!c->writing) c->write_started_ms = now_ms;
        c->writing = true;
        return false;
      }
      Destroy(c);  // the peer is gone
      return false;
    }
    c->out_len = c->out_sent = 0;
    c->writing = false;
    c->last_activity_ms = now_ms;
    if (c->closing || stopping) {
      shutdown(c->fd, SHUT_RDWR);
      Destroy(c);
      return false;
    }
    return true;
  }

  // Answers, sends and reads until the socket would block, the connection
  // waits for a password check, or it has had its turn.
  void Drive(Connection* c) {
    for (int pass = 0;; ++pass) {
      if (c->out_len > 0 && !Flush(c)) return;
      if (pass == kMaxPassesPerTurn) {
        c->queued = true;
        ready.push_back(c);
        return;
      }
      switch (Process(c)) {
        case Processed::kAnswered:
          continue;  // send it, then look again
        case Processed::kChecking:
          return;
        case Processed::kNothing:
          break;
      }
      if (c->closing) return Destroy(c);
      if (!c->readable || stopping) return;
      size_t space = kInBufferBytes - c->in_len;
      if (space == 0) return;  // cannot happen: Process refuses a head that fills `in`
      ssize_t n = recv(c->fd, c->in + c->in_len, space, 0);
      if (n > 0) {
        c->in_len += static_cast<size_t>(n);
        if (static_cast<size_t>(n) < space) c->readable = false;  // drained: the next edge tells
        c->last_activity_ms = now_ms;
        if (c->head_started_ms == 0) c->head_started_ms = now_ms;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        c->readable = false;
        return;
      }
      return Destroy(c);  // the peer closed, or an error
    }
  }

  // Is it worth parsing from `start`: a whole head is there, or a byte
  // sequence the parser will refuse at once (over a limit, a bare LF)?
  // Only bytes not searched before are searched, so a client sending one
  // byte at a time cannot make us rescan its buffer on every byte.
  bool HeadReady(Connection* c, size_t start) {
    if (c->in_len - start > kMaxRequestLine) return true;
    size_t from = std::max(start, c->scanned);
    for (size_t i = from; i < c->in_len; ++i) {
      if (c->in[i] != '\n') continue;
      if (i == start || c->in[i - 1] != '\r') return true;                              // bare LF
      if (i >= start + 3 && c->in[i - 2] == '\n' && c->in[i - 3] == '\r') return true;  // CRLFCRLF
    }
    c->scanned = c->in_len;
    return false;
  }

  enum class Processed { kNothing, kAnswered, kChecking };

  // Answers the complete requests in `in` into `out`.
  Processed Process(Connection* c) {
    if (c->in_len == 0) return Processed::kNothing;  // (and a new connection still owes a head)
    std::string_view date(this->date, date_len);
    size_t consumed = 0;
    size_t out_before = c->out_len;
    for (int handled = 0; handled < kMaxPipelined && !c->closing; ++handled) {
      if (c->out_len + kMaxResponseBytes > kOutBufferBytes) break;
      if (consumed == c->in_len || !HeadReady(c, consumed)) break;
      RequestHead head;
      ParseStatus status =
          ParseRequestHead(std::string_view(c->in + consumed, c->in_len - consumed), &head);
      if (status == ParseStatus::kIncomplete) break;
      ResponseInfo info;
      if (status == ParseStatus::kOk) {
        size_t body_end = consumed + head.length + head.content_length;
        if (body_end > c->in_len) break;  // a form's body is still on its way
        VisitFacts facts;
        facts.client_address = ClientAddress(server->options_.client_address, head,
                                             std::string_view(c->peer, c->peer_len));
        facts.random = NextRandom();
        std::string hash;
        facts.password_hash = &hash;
        if (c->has_verdict) {
          facts.password = c->verdict.password;
          facts.password_throttled = c->verdict.throttled;
        }
        size_t n = server->responder_.Respond(head, *server->table_, date, c->out + c->out_len,
                                              c->code, &info, facts);
        if (info.outcome == Outcome::kPasswordCheck) {
          // Answers already made go out first; then this request is checked.
          if (c->out_len == 0) {
            std::string_view body(c->in + consumed + head.length, head.content_length);
            StartPasswordCheck(c, std::move(hash), body, facts.client_address, consumed);
            return Processed::kChecking;
          }
          break;
        }
        c->has_verdict = false;
        c->out_len += n;
        consumed = body_end;
        if (info.outcome == Outcome::kError) c->closing = true;  // a 405 says Connection: close
        c->scanned = 0;
        if (!head.keep_alive) c->closing = true;
        Count(info, head);
      } else {
        c->out_len += server->responder_.RespondError(status, date, c->out + c->out_len, &info);
        c->closing = true;  // the stream's framing can no longer be trusted
        Count(info, head);
      }
    }
    if (consumed > 0) {
      memmove(c->in, c->in + consumed, c->in_len - consumed);
      c->in_len -= consumed;
      c->scanned = 0;
    }
    c->head_started_ms = c->in_len > 0 ? (c->head_started_ms ? c->head_started_ms : now_ms) : 0;
    if (consumed > 0 && c->in_len > 0) c->head_started_ms = now_ms;  // the next pipelined head
    return c->out_len > out_before ? Processed::kAnswered : Processed::kNothing;
  }

  // Hands the password to the verifier; the connection neither reads nor
  // writes until the verdict comes back, then answers this same request.
  void StartPasswordCheck(Connection* c, std::string hash, std::string_view body,
                          std::string_view client, size_t consumed) {
    // Both views point into `in`, which moves below: copy them first.
    std::string form(body), client_key(client);
    if (consumed > 0) {
      memmove(c->in, c->in + consumed, c->in_len - consumed);
      c->in_len -= consumed;
      c->scanned = 0;
    }
    c->verifying = true;
    server->verifier_->Verify(std::move(hash), std::move(form), std::move(client_key),
                              [this, c](PasswordVerifier::Verdict verdict) {
                                {
                                  std::lock_guard<std::mutex> lock(deliveries_mu);
                                  deliveries.push_back({c, verdict});
                                }
                                Wake();
                              });
  }

  void DeliverVerdicts() {
    std::vector<VerdictDelivery> arrived;
    {
      std::lock_guard<std::mutex> lock(deliveries_mu);
      arrived.swap(deliveries);
    }
    for (const VerdictDelivery& d : arrived) {
      Connection* c = d.connection;
      c->verifying = false;
      if (stopping) {
        Destroy(c);
        continue;
      }
      c->verdict = d.verdict;
      c->has_verdict = true;
      c->last_activity_ms = now_ms;
      Drive(c);
    }
  }

  void Count(const ResponseInfo& info, const RequestHead& head) {
    if (info.status >= 500)
      Bump(stats->responses_5xx);
    else if (info.status == 404)
      Bump(stats->responses_404);
    else if (info.status >= 400)
      Bump(stats->responses_4xx_other);
    else
      Bump(stats->responses_2xx_3xx);
    // The responder asked the click policy (rules/click_policy.h), for
    // every visit alike; recording its answer is all that is left here.
    switch (info.counted) {
      case VisitCount::kClick:
        clicks->Record(info.code);
        break;
      case VisitCount::kBot:
        clicks->RecordBot();
        break;
      case VisitCount::kNotCounted:
        break;
    }
    switch (info.outcome) {
      case Outcome::kHit:
        Bump(stats->hits);
        break;
      case Outcome::kMiss:
      case Outcome::kInactive:
        Bump(stats->misses);
        break;
      case Outcome::kUnsafeTarget:
        Bump(stats->unsafe_targets);
        break;
      default:
        break;
    }
  }

  void Sweep() {
    UpdateDate();
    clicks->Tick();
    if (stopping) return;
    int64_t head_limit = std::chrono::milliseconds(server->options_.head_timeout).count();
    int64_t idle_limit = std::chrono::milliseconds(server->options_.idle_timeout).count();
    for (Connection* c = connections; c;) {
      Connection* next = c->next;
      if (c->verifying) {
        // the verifier answers within its own limits
      } else if (c->writing) {
        // A client that stops reading its answers holds a write open; past
        // the idle limit it is as idle as one that sends nothing.
        if (now_ms - c->write_started_ms > idle_limit) {
          Bump(stats->timeouts);
          Destroy(c);
        }
      } else {
        bool head_late = c->head_started_ms && now_ms - c->head_started_ms > head_limit;
        bool idle = c->in_len == 0 && now_ms - c->last_activity_ms > idle_limit;
        if (head_late || idle) {
          if (head_late) Bump(stats->timeouts);
          Destroy(c);
        }
      }
      c = next;
    }
  }

  void Shutdown() {
    stopping = true;
    close(listen_fd);  // also leaves the epoll set
    listen_fd = -1;
    accept_resume_ms = 0;
    // A write in progress finishes (within kStopDrainMs: a client that does
    // not read its answers must not hold up a shutdown), then the connection
    // closes; a check in progress ends when its verdict comes.
    for (Connection* c = connections; c;) {
      Connection* next = c->next;
      if (!c->writing && !c->verifying) Destroy(c);
      c = next;
    }
  }
};

EdgeServer::EdgeServer(const LinkTable* table, EdgeServerOptions options)
    : table_(table), options_(std::move(options)), responder_(options_.responder) {
  if (options_.threads < 1) options_.threads = 1;
  // Password checks are rare and heavy: half the workers' threads at most.
  verifier_ = std::make_unique<PasswordVerifier>(std::max(1, options_.threads / 2));
  for (int i = 0; i < options_.threads; ++i) {
    stats_.push_back(std::make_unique<WorkerStats>());
    clicks_.push_back(std::make_unique<ThreadClicks>());
  }
}

EdgeServer::~EdgeServer() { Stop(); }

namespace {

// A non-blocking listening socket bound to `endpoint`, shared with the
// other workers through SO_REUSEPORT (the kernel balances accepts); its
// port is written to `port`.
Result<int> OpenListener(const boost::asio::ip::tcp::endpoint& endpoint, unsigned short* port) {
  int fd = socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0 &&
            bind(fd, endpoint.data(), static_cast<socklen_t>(endpoint.size())) == 0 &&
            listen(fd, SOMAXCONN) == 0;
  sockaddr_storage bound{};
  socklen_t size = sizeof bound;
  ok = ok && getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &size) == 0;
  if (!ok) {
    int error = errno;
    if (fd >= 0) close(fd);
    return MakeError(ErrorCode::kUnavailable, strerror(error));
  }
  *port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                            : reinterpret_cast<sockaddr_in&>(bound).sin_port);
  return fd;
}

}  // namespace

Result<unsigned short> EdgeServer::Start() {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(options_.host, ec);
  if (ec)
    return MakeError(ErrorCode::kInvalidArgument, "bad listen address '" + options_.host + "'");
  unsigned short port = options_.port;
  for (int i = 0; i < options_.threads; ++i) {
    auto worker = std::make_unique<Worker>(this, i);
    auto listener = OpenListener(boost::asio::ip::tcp::endpoint(address, port), &port);
    if (!listener.ok()) {
      return MakeError(ErrorCode::kUnavailable, "cannot listen on " + options_.host + ":" +
                                                    std::to_string(port) + ": " +
                                                    listener.error().message);
    }
    worker->listen_fd = *listener;
    worker->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    worker->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (worker->epoll_fd < 0 || worker->wake_fd < 0 ||
        !worker->Watch(worker->listen_fd, EPOLLIN, &g_listen_tag) ||
        !worker->Watch(worker->wake_fd, EPOLLIN, &g_wake_tag)) {
      return MakeError(ErrorCode::kUnavailable,
                       std::string("cannot set up the edge's event loop: ") + strerror(errno));
    }
    workers_.push_back(std::move(worker));
  }
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    threads_.emplace_back([w] {
      NameThisThread("edge-worker");
      RcuThreadScope rcu;  // this thread reads the LinkTable
      w->Run();
    });
  }
  return port;
}

void EdgeServer::Stop() {
  for (auto& worker : workers_) {
    worker->stop_requested.store(true, std::memory_order_release);
    worker->Wake();
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  // Checks still running deliver to workers that no longer run: their
  // verdicts are dropped with the workers below.
  if (verifier_) verifier_->Stop();
  workers_.clear();  // closes what connections are left
}

}  // namespace shortlink::redirector
