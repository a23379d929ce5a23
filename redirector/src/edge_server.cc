#include "edge_server.h"

#include <string.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <ctime>

#include "bot_detector.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "password_verifier.h"

namespace shortlink::redirector {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr size_t kInBufferBytes = kMaxHead + 4096;  // one maximal head plus pipelined followers
constexpr size_t kOutBufferBytes = 16 * kMaxResponseBytes;  // answers written in one go
constexpr int kMaxPipelined = 32;                           // requests answered per read
constexpr std::chrono::seconds kStopDrain{1};  // how long Stop lets writes in progress finish
constexpr std::chrono::milliseconds kAcceptRetryPause{50};  // after a failed accept (EMFILE)

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Single-writer counter bump: no locked instruction on the hot path.
void Bump(std::atomic<uint64_t>& c) {
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

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

struct EdgeServer::Worker {
  struct Connection {
    explicit Connection(tcp::socket s, Worker* w) : socket(std::move(s)), worker(w) {}
    tcp::socket socket;
    Worker* worker;
    Connection* prev = nullptr;  // the worker's list, for the sweeper
    Connection* next = nullptr;
    size_t in_len = 0;
    size_t scanned = 0;  // bytes of `in` already searched for the end of a head
    size_t out_len = 0;
    int64_t head_started_ms = 0;  // first byte of an unfinished head; 0 when none
    int64_t last_activity_ms = 0;
    int64_t write_started_ms = 0;
    bool closing = false;
    bool writing = false;
    bool verifying = false;             // a POSTed password is being checked: the connection waits
    PasswordVerifier::Verdict verdict;  // the check's result, for the request it was for
    bool has_verdict = false;
    uint8_t peer_len = 0;
    char peer[16];  // the client's address bytes (4 or 16), for unique clicks and guess limits
    char code[kCodeBufferBytes];
    char in[kInBufferBytes];
    char out[kOutBufferBytes];
  };

  Worker(EdgeServer* server, int index)
      : server(server),
        index(index),
        acceptor(ioc),
        sweeper(ioc),
        accept_pause(ioc),
        stats(server->stats_[index].get()),
        clicks(server->clicks_[index].get()),
        rng_state(0x9e3779b97f4a7c15ull ^ (static_cast<uint64_t>(NowMs()) << 8) ^
                  static_cast<uint64_t>(index)) {
    UpdateDate();
  }

  uint32_t NextRandom() {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return static_cast<uint32_t>(rng_state >> 32);
  }

  EdgeServer* server;
  int index;
  asio::io_context ioc{1};
  tcp::acceptor acceptor;
  asio::steady_timer sweeper;
  asio::steady_timer accept_pause;
  WorkerStats* stats;
  ThreadClicks* clicks;
  Connection* connections = nullptr;
  tcp::endpoint peer;  // filled by the accept in flight
  uint64_t rng_state;  // xorshift64: A/B buckets need a random number, not a secure one
  bool stopping = false;
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

  void Accept() {
    acceptor.async_accept(peer, [this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted || stopping) return;
        // Out of descriptors (EMFILE, ENFILE), accept fails again at once
        // while the connection waits in the backlog: retrying at once spun
        // this worker's core (found by tests/e2e/test_hostile.py). Pause.
        accept_pause.expires_after(kAcceptRetryPause);
        accept_pause.async_wait([this](boost::system::error_code wait_ec) {
          if (!wait_ec && !stopping) Accept();
        });
        return;
      }
      if (server->open_connections_.fetch_add(1, std::memory_order_relaxed) >=
          server->options_.max_connections) {
        server->open_connections_.fetch_sub(1, std::memory_order_relaxed);
        Bump(stats->connections_refused);
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto* c = new Connection(std::move(socket), this);
        RememberPeer(c);
        c->last_activity_ms = NowMs();
        c->head_started_ms = c->last_activity_ms;  // a new connection owes us a head
        Link(c);
        Read(c);
      }
      Accept();
    });
  }

  void RememberPeer(Connection* c) {
    auto address = peer.address();
    if (address.is_v4()) {
      auto bytes = address.to_v4().to_bytes();
      memcpy(c->peer, bytes.data(), bytes.size());
      c->peer_len = static_cast<uint8_t>(bytes.size());
    } else {
      auto bytes = address.to_v6().to_bytes();
      memcpy(c->peer, bytes.data(), bytes.size());
      c->peer_len = static_cast<uint8_t>(bytes.size());
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
    server->open_connections_.fetch_sub(1, std::memory_order_relaxed);
    delete c;
    if (stopping && !connections) sweeper.cancel();  // nothing left to drain
  }

  void Read(Connection* c) {
    c->socket.async_read_some(asio::buffer(c->in + c->in_len, kInBufferBytes - c->in_len),
                              [this, c](boost::system::error_code ec, size_t n) {
                                if (ec || stopping) return Destroy(c);
                                c->in_len += n;
                                c->last_activity_ms = NowMs();
                                if (c->head_started_ms == 0)
                                  c->head_started_ms = c->last_activity_ms;
                                Process(c);
                              });
  }

  void Write(Connection* c) {
    c->writing = true;
    c->write_started_ms = NowMs();
    asio::async_write(c->socket, asio::buffer(c->out, c->out_len),
                      [this, c](boost::system::error_code ec, size_t) {
                        c->writing = false;
                        c->out_len = 0;
                        if (ec || c->closing || stopping) {
                          boost::system::error_code ignored;
                          c->socket.shutdown(tcp::socket::shutdown_both, ignored);
                          return Destroy(c);
                        }
                        c->last_activity_ms = NowMs();
                        Process(c);  // pipelined requests may be waiting in `in`
                      });
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

  void Process(Connection* c) {
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
            return;
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
    c->head_started_ms = c->in_len > 0 ? (c->head_started_ms ? c->head_started_ms : NowMs()) : 0;
    if (consumed > 0 && c->in_len > 0)
      c->head_started_ms = NowMs();  // the next pipelined head starts now
    if (c->out_len > 0) return Write(c);
    if (c->closing) return Destroy(c);
    Read(c);
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
                                asio::post(ioc, [this, c, verdict] {
                                  c->verifying = false;
                                  if (stopping) return Destroy(c);
                                  c->verdict = verdict;
                                  c->has_verdict = true;
                                  c->last_activity_ms = NowMs();
                                  Process(c);
                                });
                              });
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
        if (info.ruled) {  // the rules decided (unique visitors, HEAD, bots)
          if (info.count_click) clicks->Record(info.code);
          break;
        }
        // HEAD requests and crawlers are not people clicking.
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
    sweeper.expires_after(std::chrono::seconds(1));
    sweeper.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping) return;
      UpdateDate();
      clicks->Tick();
      int64_t now = NowMs();
      int64_t head_limit = std::chrono::milliseconds(server->options_.head_timeout).count();
      int64_t idle_limit = std::chrono::milliseconds(server->options_.idle_timeout).count();
      for (Connection* c = connections; c; c = c->next) {
        if (c->verifying) continue;  // the verifier answers within its own limits
        if (c->writing) {
          // A client that stops reading its answers holds a write open;
          // past the idle limit it is as idle as one that sends nothing.
          if (now - c->write_started_ms > idle_limit) {
            Bump(stats->timeouts);
            boost::system::error_code ignored;
            c->socket.close(ignored);  // the pending write completes with an error
          }
          continue;
        }
        bool head_late = c->head_started_ms && now - c->head_started_ms > head_limit;
        bool idle = c->in_len == 0 && now - c->last_activity_ms > idle_limit;
        if (head_late || idle) {
          if (head_late) Bump(stats->timeouts);
          boost::system::error_code ignored;
          c->socket.close(ignored);  // the pending read completes with an error and frees it
        }
      }
      Sweep();
    });
  }

  void Shutdown() {
    stopping = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    sweeper.cancel();
    accept_pause.cancel();
    bool writing = false;
    for (Connection* c = connections; c; c = c->next) {
      if (c->writing)
        writing = true;        // a write in progress finishes, then the connection closes...
      else if (!c->verifying)  // (a check in progress ends in Destroy)
        c->socket.close(ignored);
    }
    // ...within kStopDrain: a client that does not read its answers must
    // not hold up a shutdown.
    if (!writing) return;
    sweeper.expires_after(kStopDrain);
    sweeper.async_wait([this](boost::system::error_code) {
      boost::system::error_code ignored;
      for (Connection* c = connections; c; c = c->next) c->socket.close(ignored);
    });
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

Result<unsigned short> EdgeServer::Start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec)
    return MakeError(ErrorCode::kInvalidArgument, "bad listen address '" + options_.host + "'");
  unsigned short port = options_.port;
  for (int i = 0; i < options_.threads; ++i) {
    auto worker = std::make_unique<Worker>(this, i);
    tcp::endpoint endpoint(address, port);
    worker->acceptor.open(endpoint.protocol(), ec);
    if (!ec) worker->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      // Every worker binds the same port; the kernel balances accepts.
      int one = 1;
      if (setsockopt(worker->acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one,
                     sizeof one) != 0) {
        ec = boost::system::error_code(errno, boost::system::system_category());
      }
    }
    if (!ec) worker->acceptor.bind(endpoint, ec);
    if (!ec) worker->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return MakeError(ErrorCode::kUnavailable, "cannot listen on " + options_.host + ":" +
                                                    std::to_string(port) + ": " + ec.message());
    }
    port = worker->acceptor.local_endpoint().port();
    workers_.push_back(std::move(worker));
  }
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    w->Accept();
    w->Sweep();
    threads_.emplace_back([w] {
      NameThisThread("edge-worker");
      RcuThreadScope rcu;  // this thread reads the LinkTable
      w->ioc.run();
    });
  }
  return port;
}

void EdgeServer::Stop() {
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    asio::post(w->ioc, [w] { w->Shutdown(); });
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  // Checks still running post to io_contexts that no longer run: their
  // handlers are dropped with the workers below, never run.
  if (verifier_) verifier_->Stop();
  // Connections whose handlers never ran (io_context stopped) are freed here.
  for (auto& worker : workers_) {
    while (worker->connections) worker->Destroy(worker->connections);
  }
  workers_.clear();
}

}  // namespace shortlink::redirector
