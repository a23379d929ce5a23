// MEASURED PROTOTYPE, NOT BUILT (bench/CMakeLists.txt only globs bench/micro/*.cc).
//
// A drop-in replacement for redirector/src/edge_server.cc (same EdgeServer
// interface, same parser/responder/click counting, same limits and timeouts)
// that runs each worker on a raw edge-triggered epoll loop instead of Asio,
// the way nginx does:
//   - a short recv() means the socket is drained: no speculative recv() that
//     fails with EAGAIN after every response (Asio's async_read_some does one:
//     perf stat showed 1.94 recvfrom + 1.0 sendto per request, nginx 1.0 + 1.0
//     writev; this loop: 1.00 recvfrom + 1.00 sendto);
//   - the response is sent at once with send(); EPOLLOUT only when it would block;
//   - one clock read per epoll_wait iteration instead of two per request;
//   - no scheduler mutex, no handler queue, no op allocation.
// Measured on the bench machine (2 vCPU EPYC, shared), 200k links, wrk -t1 -c64
// on core 1, server on core 0, alternating with the Asio build of commit 5a8117e:
//   user CPU 1.31-1.85 -> 1.17-1.48 us/request (about -0.3 us, -20% of user time);
//   total CPU per request 7.02-7.96 -> 6.70-7.20 us (noisy: sys time dominates).
// It passes tests/e2e/test_edge.py, test_sync.py and test_clicks.py unchanged
// (SHORTLINK_BIN pointing at a build with this file as edge_server.cc).
// Stop(): connections with a write in progress get 2 s, then are closed.
#include "edge_server.h"

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

#include "bot_detector.h"
#include "common/log.h"

namespace shortlink::redirector {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr size_t kInBufferBytes = kMaxHead + 4096;
constexpr size_t kOutBufferBytes = 16 * kMaxResponseBytes;
constexpr int kMaxPipelined = 32;

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void Bump(std::atomic<uint64_t>& c) {
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

char g_listen_tag, g_stop_tag;

}  // namespace

struct EdgeServer::Worker {
  struct Connection {
    int fd;
    Connection* prev = nullptr;
    Connection* next = nullptr;
    size_t in_len = 0;
    size_t scanned = 0;
    size_t out_len = 0;
    size_t out_sent = 0;
    int64_t head_started_ms = 0;
    int64_t last_activity_ms = 0;
    bool closing = false;
    bool writing = false;  // output blocked: waiting for EPOLLOUT
    bool readable = true;  // the socket may hold unread bytes
    char code[kCodeBufferBytes];
    char in[kInBufferBytes];
    char out[kOutBufferBytes];
  };

  Worker(EdgeServer* server, int index)
      : server(server),
        index(index),
        stats(server->stats_[index].get()),
        clicks(server->clicks_[index].get()) {
    UpdateDate();
  }
  ~Worker() {
    if (listen_fd >= 0) close(listen_fd);
    if (stop_fd >= 0) close(stop_fd);
    if (epfd >= 0) close(epfd);
  }

  EdgeServer* server;
  int index;
  int listen_fd = -1, epfd = -1, stop_fd = -1;
  WorkerStats* stats;
  ThreadClicks* clicks;
  Connection* connections = nullptr;
  bool stopping = false;
  int64_t now_ms = 0;
  char date[32];
  size_t date_len = 0;
  long date_second = 0;

  void UpdateDate() {
    long now = static_cast<long>(time(nullptr));
    if (now == date_second) return;
    date_second = now;
    std::string d = FormatHttpDate(now);
    date_len = std::min(d.size(), sizeof date);
    memcpy(date, d.data(), date_len);
  }

  void Run() {
    epoll_event evs[256];
    now_ms = NowMs();
    int64_t next_sweep = now_ms + 1000;
    int64_t stop_deadline = 0;
    for (;;) {
      if (stopping && (!connections || now_ms > stop_deadline)) break;
      int timeout = static_cast<int>(std::max<int64_t>(0, next_sweep - now_ms));
      int n = epoll_wait(epfd, evs, 256, timeout);
      now_ms = NowMs();
      for (int i = 0; i < n; ++i) {
        void* p = evs[i].data.ptr;
        if (p == &g_listen_tag) {
          AcceptAll();
        } else if (p == &g_stop_tag) {
          if (!stopping) {
            Shutdown();
            stop_deadline = now_ms + 2000;
          }
        } else {
          OnEvent(static_cast<Connection*>(p), evs[i].events);
        }
      }
      if (now_ms >= next_sweep) {
        Sweep();
        next_sweep = now_ms + 1000;
      }
    }
    while (connections) Destroy(connections);
  }

  void AcceptAll() {
    for (;;) {
      int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or an error the next readiness retries
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
      c->last_activity_ms = now_ms;
      c->head_started_ms = now_ms;
      c->next = connections;
      if (connections) connections->prev = c;
      connections = c;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.ptr = c;
      if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        Destroy(c);
        continue;
      }
      // Data may come with the connection: the ADD reports it as an event.
      c->readable = false;
    }
  }

  void Destroy(Connection* c) {
    if (c->prev)
      c->prev->next = c->next;
    else
      connections = c->next;
    if (c->next) c->next->prev = c->prev;
    close(c->fd);
    server->open_connections_.fetch_sub(1, std::memory_order_relaxed);
    delete c;
  }

  void OnEvent(Connection* c, uint32_t events) {
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->readable = true;
    if (c->writing && !(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    Drive(c);
  }

  // false: c was destroyed (or waits for EPOLLOUT and must not be touched further now)
  bool Flush(Connection* c) {
    while (c->out_sent < c->out_len) {
      ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
      if (n > 0) {
        c->out_sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        c->writing = true;
        return false;
      }
      Destroy(c);
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

  // Parse, answer, send, read, until the socket would block.
  void Drive(Connection* c) {
    for (;;) {
      if (c->out_len > c->out_sent || c->writing) {
        if (!Flush(c)) return;
      }
      if (Process(c)) continue;  // answered something: send it, then look again
      if (c->closing) return Destroy(c);
      if (!c->readable || stopping) return;
      size_t space = kInBufferBytes - c->in_len;
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
      return Destroy(c);  // peer closed, or an error
    }
  }

  bool HeadReady(Connection* c, size_t start) {
    if (c->in_len - start > kMaxRequestLine) return true;
    size_t from = std::max(start, c->scanned);
    for (size_t i = from; i < c->in_len; ++i) {
      if (c->in[i] != '\n') continue;
      if (i == start || c->in[i - 1] != '\r') return true;
      if (i >= start + 3 && c->in[i - 2] == '\n' && c->in[i - 3] == '\r') return true;
    }
    c->scanned = c->in_len;
    return false;
  }

  // Answers the complete heads in `in` into `out`; true when it wrote something.
  bool Process(Connection* c) {
    std::string_view date(this->date, date_len);
    size_t consumed = 0;
    for (int handled = 0; handled < kMaxPipelined && !c->closing; ++handled) {
      if (c->out_len + kMaxResponseBytes > kOutBufferBytes) break;
      if (consumed == c->in_len || !HeadReady(c, consumed)) break;
      RequestHead head;
      ParseStatus status =
          ParseRequestHead(std::string_view(c->in + consumed, c->in_len - consumed), &head);
      if (status == ParseStatus::kIncomplete) break;
      ResponseInfo info;
      if (status == ParseStatus::kOk) {
        c->out_len += server->responder_.Respond(head, *server->table_, date, c->out + c->out_len,
                                                 c->code, &info);
        consumed += head.length;
        c->scanned = 0;
        if (!head.keep_alive) c->closing = true;
        Count(info, head);
      } else {
        c->out_len += server->responder_.RespondError(status, date, c->out + c->out_len, &info);
        c->closing = true;
        Count(info, head);
      }
    }
    if (consumed > 0) {
      if (consumed < c->in_len) memmove(c->in, c->in + consumed, c->in_len - consumed);
      c->in_len -= consumed;
      c->scanned = 0;
    }
    c->head_started_ms = c->in_len > 0 ? (c->head_started_ms ? c->head_started_ms : now_ms) : 0;
    if (consumed > 0 && c->in_len > 0) c->head_started_ms = now_ms;
    return c->out_len > c->out_sent;
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
    switch (info.outcome) {
      case Outcome::kHit:
        Bump(stats->hits);
        if (head.method == Method::kGet && !IsBot(head.user_agent))
          clicks->Record(info.code);
        else
          clicks->RecordBot();
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
    if (stopping) return;
    UpdateDate();
    clicks->Tick();
    int64_t head_limit = std::chrono::milliseconds(server->options_.head_timeout).count();
    int64_t idle_limit = std::chrono::milliseconds(server->options_.idle_timeout).count();
    for (Connection* c = connections; c;) {
      Connection* next = c->next;
      if (!c->writing) {
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
    epoll_ctl(epfd, EPOLL_CTL_DEL, listen_fd, nullptr);
    close(listen_fd);
    listen_fd = -1;
    for (Connection* c = connections; c;) {
      Connection* next = c->next;
      if (!c->writing) Destroy(c);
      c = next;
    }
  }
};

EdgeServer::EdgeServer(const LinkTable* table, EdgeServerOptions options)
    : table_(table), options_(std::move(options)), responder_(options_.responder) {
  if (options_.threads < 1) options_.threads = 1;
  for (int i = 0; i < options_.threads; ++i) {
    stats_.push_back(std::make_unique<WorkerStats>());
    clicks_.push_back(std::make_unique<ThreadClicks>());
  }
}

EdgeServer::~EdgeServer() { Stop(); }

Result<unsigned short> EdgeServer::Start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec)
    return MakeError(ErrorCode::kInvalidArgument, "bad listen address '" + options_.host + "'");
  unsigned short port = options_.port;
  for (int i = 0; i < options_.threads; ++i) {
    auto worker = std::make_unique<Worker>(this, i);
    tcp::endpoint endpoint(address, port);
    int fd = socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
              setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0 &&
              bind(fd, endpoint.data(), static_cast<socklen_t>(endpoint.size())) == 0 &&
              listen(fd, SOMAXCONN) == 0;
    if (!ok) {
      int err = errno;
      if (fd >= 0) close(fd);
      return MakeError(ErrorCode::kUnavailable, "cannot listen on " + options_.host + ":" +
                                                    std::to_string(port) + ": " + strerror(err));
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                             : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    worker->listen_fd = fd;
    worker->epfd = epoll_create1(EPOLL_CLOEXEC);
    worker->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &g_listen_tag;
    epoll_ctl(worker->epfd, EPOLL_CTL_ADD, fd, &ev);
    ev.data.ptr = &g_stop_tag;
    epoll_ctl(worker->epfd, EPOLL_CTL_ADD, worker->stop_fd, &ev);
    workers_.push_back(std::move(worker));
  }
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    threads_.emplace_back([w] {
      RcuThreadScope rcu;
      w->Run();
    });
  }
  return port;
}

void EdgeServer::Stop() {
  for (auto& worker : workers_) {
    uint64_t one = 1;
    ssize_t ignored = write(worker->stop_fd, &one, sizeof one);
    (void)ignored;
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  workers_.clear();
}

}  // namespace shortlink::redirector
