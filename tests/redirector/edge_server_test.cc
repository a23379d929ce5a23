// EdgeServer in-process, over real loopback sockets: what the end-to-end
// tests (tests/e2e/test_edge.py) cannot reach cheaply or at all: limits at
// their exact boundaries, heads split into single bytes, deep pipelines,
// the idle and head timeouts at short settings, the connection cap, clicks
// versus bot hits, Stop() with connections open, and (tagged [concurrent],
// for TSan) readers serving while the applier rewrites the table.
//
// Clients are plain blocking POSIX sockets with a receive timeout, so that
// hostile bytes go out exactly as written and a server that hangs fails the
// test instead of hanging it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "edge/edge_server.h"
#include "table/edge_rules.h"
#include "table/link_table.h"

namespace shortlink::redirector {
namespace {

using namespace std::chrono_literals;

// One blocking client connection.
class Client {
 public:
  explicit Client(unsigned short port, std::chrono::milliseconds timeout = 5000ms) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  struct Response {
    int status = 0;
    std::string head;  // status line and fields, up to and including CRLFCRLF
    std::string body;
    std::string Header(std::string_view name) const {  // exact-case field name
      std::string key = "\r\n" + std::string(name) + ": ";
      size_t at = head.find(key);
      if (at == std::string::npos) return "";
      at += key.size();
      return head.substr(at, head.find("\r\n", at) - at);
    }
  };

  // Reads one response; `head_request` responses have no body whatever
  // Content-Length says. Nothing when the server closed or timed out first.
  std::optional<Response> Read(bool head_request = false) {
    size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    Response r;
    r.head = pending_.substr(0, end + 4);
    if (r.head.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
    r.status = std::atoi(r.head.c_str() + 9);
    size_t length =
        head_request ? 0 : std::strtoul(r.Header("Content-Length").c_str(), nullptr, 10);
    while (pending_.size() < end + 4 + length) {
      if (!Fill()) return std::nullopt;
    }
    r.body = pending_.substr(end + 4, length);
    pending_.erase(0, end + 4 + length);
    return r;
  }

  // True when the server closes the connection (EOF or reset) within the
  // receive timeout, once any bytes already buffered are read.
  bool ClosedByPeer() {
    char buf[4096];
    for (;;) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  bool Fill() {
    char buf[16384];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

std::string Get(std::string_view target, std::string_view extra = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: go.example\r\n" + std::string(extra) +
         "\r\n";
}

struct Server {
  explicit Server(EdgeServerOptions options = {}, int threads = 1) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = threads;
    if (options.responder.pages.built_in(Page::kNotFound))
      REQUIRE(options.responder.pages.SetNotFound("<html><body>no such link</body></html>\n").ok());
    RcuThreadScope rcu;
    table.Upsert("go", "https://example.com/go?a=1", LinkState::kActive);
    table.Upsert("off", "https://example.com/off", LinkState::kInactive);
    table.Upsert("evil", "https://example.com/\r\nSet-Cookie: pwned=1", LinkState::kActive);
    edge.emplace(&table, options);
    auto bound = edge->Start();
    REQUIRE(bound.ok());
    port = *bound;
  }
  ~Server() { edge.reset(); }

  template <typename F>
  uint64_t Sum(F field) const {
    uint64_t total = 0;
    for (const auto& s : edge->stats()) total += field(*s).load();
    return total;
  }
  uint64_t clicks() const {
    uint64_t n = 0;
    for (const auto& c : edge->clicks()) n += c->clicks();
    return n;
  }
  uint64_t bot_hits() const {
    uint64_t n = 0;
    for (const auto& c : edge->clicks()) n += c->bot_hits();
    return n;
  }

  LinkTable table;
  std::optional<EdgeServer> edge;
  unsigned short port = 0;
};

// Polls `done` for up to `limit`.
template <typename F>
bool Eventually(F done, std::chrono::milliseconds limit = 5000ms) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

}  // namespace

TEST_CASE("edge: a hit redirects with the fixed headers, misses and inactive links are 404",
          "[edge]") {
  EdgeServerOptions options;
  options.responder.redirect_status = 308;
  options.responder.home_url = "https://home.example/";
  Server server(options);
  Client c(server.port);
  REQUIRE(c.connected());

  REQUIRE(c.Send(Get("/GO?utm_source=x")));
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 308);
  CHECK(r->Header("Location") == "https://example.com/go?a=1");
  CHECK(r->Header("Cache-Control") == "no-store");
  CHECK(r->Header("X-Robots-Tag") == "noindex");
  CHECK(!r->body.empty());
  CHECK(r->Header("Date").size() == 29);

  REQUIRE(c.Send("HEAD /go HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.Read(/*head_request=*/true);
  REQUIRE(r);
  CHECK(r->status == 308);
  CHECK(r->Header("Content-Length") != "0");  // the GET's length, as RFC 9110 asks

  for (const char* target : {"/nope", "/off", "/go/", "/go%20", "/g.o"}) {
    INFO(target);
    REQUIRE(c.Send(Get(target)));
    r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body == "<html><body>no such link</body></html>\n");
    CHECK(r->Header("Location").empty());
  }

  REQUIRE(c.Send(Get("/")));
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status / 100 == 3);
  CHECK(r->Header("Location") == "https://home.example/");

  // The stored target with CR/LF is never written: 500, counted.
  REQUIRE(c.Send(Get("/evil")));
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 500);
  CHECK(r->head.find("pwned") == std::string::npos);
  CHECK(Eventually([&] { return server.Sum([](auto& s) -> auto& { return s.misses; }) == 5; }));
  CHECK(server.Sum([](auto& s) -> auto& { return s.unsafe_targets; }) == 1);
  CHECK(server.Sum([](auto& s) -> auto& { return s.hits; }) == 2);
  CHECK(server.Sum([](auto& s) -> auto& { return s.misses; }) == 5);
}

TEST_CASE("edge: request bytes never reach a response header", "[edge]") {
  Server server;
  Client c(server.port);
  REQUIRE(c.Send(Get("/go%0d%0aSet-Cookie:%20x=1")));
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(r->head.find("Set-Cookie") == std::string::npos);
  // A raw CR inside the target or a header value is a framing error.
  Client d(server.port);
  REQUIRE(d.Send("GET /go\rSet-Cookie: x HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = d.Read();
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(r->head.find("Set-Cookie") == std::string::npos);
  CHECK(d.ClosedByPeer());
  Client e(server.port);
  REQUIRE(e.Send("GET /go HTTP/1.1\r\nHost: x\r\nX-A: a\rSet-Cookie: x\r\n\r\n"));
  r = e.Read();
  REQUIRE(r);
  CHECK(r->status == 400);
}

TEST_CASE("edge: the 8 KiB request line and 16 KiB head limits hold at their boundaries",
          "[edge]") {
  Server server;
  // A target just under the line limit is served (as a miss: not a code).
  {
    Client c(server.port);
    std::string target = "/" + std::string(8000, 'a');
    REQUIRE(c.Send(Get(target)));
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 404);
  }
  {
    Client c(server.port);
    REQUIRE(c.Send(Get("/" + std::string(8 * 1024 + 1, 'a'))));
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 414);
    CHECK(r->Header("Connection") == "close");
    CHECK(c.ClosedByPeer());
  }
  // 414 is answered from the request line alone, before any header arrives.
  {
    Client c(server.port);
    REQUIRE(c.Send("GET /" + std::string(9000, 'a')));
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 414);
  }
  // Headers of ~15 KiB are fine; past 16 KiB they are 431 even if never finished.
  {
    Client c(server.port);
    REQUIRE(c.Send(Get("/go", "X-Pad: " + std::string(15 * 1024, 'p') + "\r\n")));
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 302);
  }
  {
    Client c(server.port);
    REQUIRE(c.Send("GET /go HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(17 * 1024, 'p')));
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 431);
    CHECK(c.ClosedByPeer());
  }
  // Many small fields add up the same way.
  {
    Client c(server.port);
    std::string fields;
    for (int i = 0; i < 850; ++i) fields += "X-F" + std::to_string(i) + ": 0123456789\r\n";
    REQUIRE(c.Send(Get("/go", fields)));
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 431);
  }
}

TEST_CASE("edge: a head sent one byte at a time is answered", "[edge]") {
  Server server;
  Client c(server.port);
  std::string req = Get("/go", "User-Agent: slow\r\n");
  for (char ch : req) {
    REQUIRE(c.Send(std::string_view(&ch, 1)));
    std::this_thread::sleep_for(200us);
  }
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 302);
}

TEST_CASE("edge: deep pipelines are answered in order, past every per-read bound", "[edge]") {
  Server server;
  Client c(server.port);
  constexpr int kRequests = 500;  // far beyond one read's 32 answers and 20 KiB of input
  std::string batch;
  for (int i = 0; i < kRequests; ++i) {
    if (i % 3 == 2)
      batch += "HEAD /go HTTP/1.1\r\nHost: x\r\n\r\n";
    else
      batch += Get(i % 3 == 0 ? "/go" : "/missing");
  }
  // Send from another thread: the answers are larger than the socket
  // buffers, so a client that wrote everything before reading would deadlock.
  std::thread sender([&] { c.Send(batch); });
  int ok = 0;
  for (int i = 0; i < kRequests; ++i) {
    auto r = c.Read(/*head_request=*/i % 3 == 2);
    REQUIRE(r);
    int want = i % 3 == 1 ? 404 : 302;
    if (r->status == want) ++ok;
  }
  sender.join();
  CHECK(ok == kRequests);
  // A request with Connection: close ends the pipeline; what follows is ignored.
  Client d(server.port);
  REQUIRE(d.Send(Get("/go", "Connection: close\r\n") + Get("/go")));
  REQUIRE(d.Read());
  CHECK(d.ClosedByPeer());
}

TEST_CASE("edge: requests arriving together on many connections each get their own link",
          "[edge]") {
  // One worker, one epoll batch holding many connections: each answer must
  // be its own request's, whatever else arrived beside it.
  Server server;
  constexpr int kConnections = 64;
  {
    RcuThreadScope rcu;
    for (int i = 0; i < kConnections; ++i)
      server.table.Upsert("l" + std::to_string(i), "https://example.com/" + std::to_string(i),
                          LinkState::kActive);
  }
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(std::make_unique<Client>(server.port));
    REQUIRE(clients.back()->connected());
  }
  for (int round = 0; round < 20; ++round) {
    INFO("round " << round);
    // Beside whole GETs: HEADs, a line cut in the middle of its path,
    // two requests in one send, and misses.
    for (int i = 0; i < kConnections; ++i) {
      std::string code = "/L" + std::to_string(i);
      std::string request;
      switch (i % 5) {
        case 0:
          request = Get(code);
          break;
        case 1:
          request = "HEAD " + code + " HTTP/1.1\r\nHost: x\r\n\r\n";
          break;
        case 2:
          request = "GET /l";  // the rest follows below
          break;
        case 3:
          request = Get(code + "?utm_source=x") + Get(code);
          break;
        case 4:
          request = Get("/missing-" + std::to_string(i));
          break;
      }
      REQUIRE(clients[i]->Send(request));
    }
    for (int i = 2; i < kConnections; i += 5)
      REQUIRE(clients[i]->Send(std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    for (int i = 0; i < kConnections; ++i) {
      INFO("connection " << i);
      std::string want = "https://example.com/" + std::to_string(i);
      int answers = i % 5 == 3 ? 2 : 1;
      for (int a = 0; a < answers; ++a) {
        auto r = clients[i]->Read(/*head_request=*/i % 5 == 1);
        REQUIRE(r);
        if (i % 5 == 4) {
          CHECK(r->status == 404);
        } else {
          CHECK(r->status == 302);
          CHECK(r->Header("Location") == want);
        }
      }
    }
  }
  // Clients that close right after sending take nobody else's answer down.
  for (int i = 0; i < kConnections; i += 2) {
    clients[i]->Send(Get("/l" + std::to_string(i)));
    clients[i]->Close();
  }
  for (int i = 1; i < kConnections; i += 2) {
    REQUIRE(clients[i]->Send(Get("/l" + std::to_string(i))));
    auto r = clients[i]->Read();
    REQUIRE(r);
    CHECK(r->Header("Location") == "https://example.com/" + std::to_string(i));
  }
}

TEST_CASE("edge: HTTP/1.0 closes unless keep-alive is asked for", "[edge]") {
  Server server;
  Client c(server.port);
  REQUIRE(c.Send("GET /go HTTP/1.0\r\n\r\n"));
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 302);
  CHECK(r->Header("Connection") == "close");
  CHECK(c.ClosedByPeer());

  Client k(server.port);
  REQUIRE(k.Send("GET /go HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  r = k.Read();
  REQUIRE(r);
  CHECK(r->Header("Connection") == "keep-alive");
  REQUIRE(k.Send("HEAD /go HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
  r = k.Read(true);
  REQUIRE(r);
  CHECK(r->status == 302);
}

TEST_CASE("edge: clicks count browser GET hits only, HEAD and bots are bot hits", "[edge]") {
  Server server;
  Client c(server.port);
  const char* chrome = "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0 Safari/537.36\r\n";
  REQUIRE(c.Send(Get("/go", chrome)));
  REQUIRE(c.Read());
  REQUIRE(c.Send(Get("/GO", chrome)));
  REQUIRE(c.Read());
  REQUIRE(c.Send(Get("/go", "User-Agent: Slackbot-LinkExpanding 1.0\r\n")));
  REQUIRE(c.Read());
  REQUIRE(c.Send(Get("/go", "user-agent: facebookexternalhit/1.1\r\n")));
  REQUIRE(c.Read());
  REQUIRE(c.Send("HEAD /go HTTP/1.1\r\nHost: x\r\n" + std::string(chrome) + "\r\n"));
  REQUIRE(c.Read(true));
  REQUIRE(c.Send(Get("/missing", chrome)));  // misses are neither
  REQUIRE(c.Read());
  REQUIRE(c.Send(Get("/off", chrome)));
  REQUIRE(c.Read());
  // The counters are written by the worker after it queued the answer:
  // poll rather than race it.
  CHECK(Eventually([&] { return server.clicks() == 2 && server.bot_hits() == 3; }));
  CHECK(server.clicks() == 2);
  CHECK(server.bot_hits() == 3);
}

// One click policy (rules/click_policy.h) for every visit: a link with
// rules counts people, HEAD requests and bots exactly as a plain link does.
// (Before it, HEAD and bot hits of ruled links reached no metric at all.)
TEST_CASE("edge: a ruled link counts clicks and bot hits as a plain link does", "[edge]") {
  Server server;
  {
    RcuThreadScope rcu;
    Link ruled;
    ruled.code = "ruled";
    ruled.long_url = "https://example.com/ruled";
    ruled.rules.redirect_type = 307;  // any rule puts the link on the rules' path
    server.table.Upsert(ruled.code, ruled.long_url, ruled.state,
                        std::make_unique<EdgeRules>(ruled));
  }
  Client c(server.port);
  const char* chrome = "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0 Safari/537.36\r\n";
  REQUIRE(c.Send(Get("/ruled", chrome)));
  auto r = c.Read();
  REQUIRE(r);
  REQUIRE(r->status == 307);
  REQUIRE(c.Send(Get("/RULED", chrome)));
  REQUIRE(c.Read());
  REQUIRE(c.Send(Get("/ruled", "User-Agent: Slackbot-LinkExpanding 1.0\r\n")));
  REQUIRE(c.Read());
  REQUIRE(c.Send(Get("/ruled", "user-agent: facebookexternalhit/1.1\r\n")));
  REQUIRE(c.Read());
  REQUIRE(c.Send("HEAD /ruled HTTP/1.1\r\nHost: x\r\n" + std::string(chrome) + "\r\n"));
  REQUIRE(c.Read(true));
  CHECK(Eventually([&] { return server.clicks() == 2 && server.bot_hits() == 3; }));
  CHECK(server.clicks() == 2);
  CHECK(server.bot_hits() == 3);
}

// Links by (Host, code): a code on the default domain and on b.example, each
// with its own target; an IP address or localhost gets the default domain's,
// a Host the node does not know a 404. Each click is counted under the
// domain it was for.
TEST_CASE("edge: the Host header picks the domain whose link answers, and counts its click",
          "[edge][domain]") {
  Server server;  // "go" on the default domain: https://example.com/go?a=1
  {
    RcuThreadScope rcu;
    REQUIRE(server.table.Upsert(LinkKey{"b.example", "go"}, "https://b.example.org/go",
                                LinkState::kActive));
  }
  Client c(server.port);
  const char* chrome = "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0 Safari/537.36\r\n";
  auto location = [&](std::string_view host) {
    INFO(host);
    REQUIRE(c.Send("GET /go HTTP/1.1\r\nHost: " + std::string(host) + "\r\n" + chrome + "\r\n"));
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 302);
    return r->Header("Location");
  };
  CHECK(location("b.example") == "https://b.example.org/go");
  CHECK(location("B.EXAMPLE:8080") == "https://b.example.org/go");
  CHECK(location("localhost:8080") == "https://example.com/go?a=1");
  CHECK(location("[::1]:80") == "https://example.com/go?a=1");
  CHECK(location("127.0.0.1") == "https://example.com/go?a=1");
  // A host the node does not know, now that it knows a custom domain: 404.
  REQUIRE(c.Send("GET /go HTTP/1.1\r\nHost: unknown.example\r\n" + std::string(chrome) + "\r\n"));
  auto unknown = c.Read();
  REQUIRE(unknown);
  CHECK(unknown->status == 404);

  server.edge->Stop();  // the workers are joined: their click tables may be read
  std::map<std::pair<std::string, std::string>, uint64_t> counted;
  for (const auto& clicks : server.edge->clicks()) {
    ClickTable* table = clicks->TakeActiveAfterStop();
    if (!table) continue;
    table->ForEachIn(0, ClickTable::kCapacity,
                     [&](std::string_view domain, std::string_view code, uint64_t n) {
                       counted[{std::string(domain), std::string(code)}] += n;
                     });
    clicks->ReturnSpare(table);
  }
  CHECK(counted == std::map<std::pair<std::string, std::string>, uint64_t>{
                       {{"", "go"}, 3}, {{"b.example", "go"}, 2}});
}

TEST_CASE("edge: unfinished heads and idle keep-alive connections are closed", "[edge]") {
  EdgeServerOptions options;
  options.head_timeout = 1s;
  options.idle_timeout = 2s;
  Server server(options);
  auto started = std::chrono::steady_clock::now();
  Client slow(server.port, 6000ms);
  REQUIRE(slow.Send("GET /go HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  Client silent(server.port, 6000ms);  // connects and never sends: a head is owed
  Client idle(server.port, 6000ms);
  REQUIRE(idle.Send(Get("/go")));
  REQUIRE(idle.Read());
  CHECK(slow.ClosedByPeer());
  CHECK(silent.ClosedByPeer());
  auto head_closed = std::chrono::steady_clock::now() - started;
  CHECK(head_closed < 3s);  // 1 s limit, swept once a second
  CHECK(idle.ClosedByPeer());
  auto idle_closed = std::chrono::steady_clock::now() - started;
  CHECK(idle_closed >= 2s);
  CHECK(idle_closed < 4s);
  CHECK(server.Sum([](auto& s) -> auto& { return s.timeouts; }) == 2);
  CHECK(Eventually([&] { return server.edge->open_connections() == 0; }));
}

TEST_CASE("edge: connections beyond the cap are closed at once and counted", "[edge]") {
  EdgeServerOptions options;
  options.max_connections = 2;
  Server server(options, /*threads=*/2);
  Client a(server.port), b(server.port);
  REQUIRE(a.Send(Get("/go")));
  REQUIRE(a.Read());
  REQUIRE(b.Send(Get("/go")));
  REQUIRE(b.Read());
  Client over(server.port);
  REQUIRE(over.connected());  // the kernel accepts; the server closes it
  over.Send(Get("/go"));
  CHECK(over.ClosedByPeer());
  CHECK(server.Sum([](auto& s) -> auto& { return s.connections_refused; }) == 1);
  // Closing one frees a place.
  a.Close();
  REQUIRE(Eventually([&] { return server.edge->open_connections() == 1; }));
  Client next(server.port);
  REQUIRE(next.Send(Get("/go")));
  auto r = next.Read();
  REQUIRE(r);
  CHECK(r->status == 302);
}

TEST_CASE("edge: Stop closes open connections and returns promptly", "[edge]") {
  Server server({}, /*threads=*/2);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 20; ++i) {
    clients.push_back(std::make_unique<Client>(server.port));
    if (i % 2) {  // half idle after a request, half mid-head
      REQUIRE(clients.back()->Send(Get("/go")));
      REQUIRE(clients.back()->Read());
    } else {
      REQUIRE(clients.back()->Send("GET /go HTTP/1.1\r\n"));
    }
  }
  REQUIRE(Eventually([&] { return server.edge->open_connections() == 20; }));
  auto started = std::chrono::steady_clock::now();
  server.edge->Stop();
  CHECK(std::chrono::steady_clock::now() - started < 1s);
  for (auto& c : clients) CHECK(c->ClosedByPeer());
  CHECK(server.edge->open_connections() == 0);
  Client late(server.port, 1000ms);
  CHECK_FALSE(late.connected());
}

TEST_CASE("edge: clients see whole, current links while the applier rewrites the table",
          "[edge][concurrent]") {
  Server server({}, /*threads=*/2);
  constexpr int kCodes = 300;
  auto url_for = [](int code, int version) {
    return "https://example.com/c" + std::to_string(code) + "/v" + std::to_string(version);
  };
  {
    RcuThreadScope rcu;
    for (int i = 0; i < kCodes; ++i)
      server.table.Upsert("c" + std::to_string(i), url_for(i, 0), LinkState::kActive);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, answered{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back([&, t] {
      Client c(server.port);
      std::mt19937 rnd(t);
      while (!stop.load()) {
        int code = static_cast<int>(rnd() % kCodes);
        std::string want_prefix = "https://example.com/c" + std::to_string(code) + "/v";
        if (!c.Send(Get("/C" + std::to_string(code)))) {
          ++bad;
          return;
        }
        auto r = c.Read();
        if (!r) {
          ++bad;
          return;
        }
        ++answered;
        if (r->status == 302) {
          if (r->Header("Location").rfind(want_prefix, 0) != 0) ++bad;
        } else if (r->status != 404) {
          ++bad;
        }
      }
    });
  }
  {
    RcuThreadScope rcu;  // this thread is the applier
    auto deadline = std::chrono::steady_clock::now() + 20s;
    for (int round = 1;
         round <= 40 || (answered.load() < 1500 && std::chrono::steady_clock::now() < deadline);
         ++round) {
      for (int i = 0; i < kCodes * 4; ++i) {  // grows past the first array too
        std::string code = "c" + std::to_string(i);
        if ((i + round) % 7 == 0)
          server.table.Erase(code);
        else
          server.table.Upsert(code, url_for(i, round),
                              round % 3 ? LinkState::kActive : LinkState::kInactive);
      }
    }
  }
  stop = true;
  for (auto& t : clients) t.join();
  CHECK(bad.load() == 0);
  CHECK(answered.load() > 0);
  // Counters are read while the workers keep writing theirs (metrics do this).
  CHECK(Eventually([&] {
    return server.Sum([](auto& s) -> auto& { return s.hits; }) + server.Sum([](auto& s) -> auto& {
      return s.misses;
    }) == static_cast<uint64_t>(answered.load());
  }));
}

// A client that pipelines requests and never reads the answers fills the
// socket buffers until the server's write cannot complete: the idle limit
// applies to such a write, and Stop() gives it at most a second.
TEST_CASE("edge: a client that never reads is closed, and cannot stall Stop", "[edge]") {
  auto stall = [](Server& server, Client& c) {
    std::string batch;
    for (int i = 0; i < 40000; ++i) batch += Get("/go");  // ~9 MB of answers
    return std::thread([&c, batch] { c.Send(batch); });   // blocks once the server stops reading
  };
  SECTION("the idle limit applies to a write nobody reads") {
    EdgeServerOptions options;
    options.idle_timeout = 1s;
    Server server(options);
    Client c(server.port);
    std::thread sender = stall(server, c);
    bool closed = Eventually([&] { return server.edge->open_connections() == 0; }, 5000ms);
    c.Close();
    sender.join();
    CHECK(closed);
  }
  SECTION("Stop does not wait for it") {
    Server server;  // default idle limit: 60 s
    Client c(server.port);
    std::thread sender = stall(server, c);
    std::this_thread::sleep_for(1s);  // long enough for the buffers to fill
    std::atomic<bool> stopped{false};
    std::thread stopper([&] {
      server.edge->Stop();
      stopped = true;
    });
    bool prompt = Eventually([&] { return stopped.load(); }, 3000ms);
    c.Close();  // unblocks a stuck write, whatever happened
    stopper.join();
    sender.join();
    CHECK(prompt);
  }
}

// Hidden (not run by default): serves SHORTLINK_SERVE_LINKS links (default
// 1M) named "l<i>" on 127.0.0.1:SHORTLINK_SERVE_PORT (default 18080) with
// SHORTLINK_SERVE_THREADS workers for SHORTLINK_SERVE_SECONDS (default 30),
// so a load generator can measure the edge without admin-api and Redis:
//   wrk -t1 -c64 -d10s -s random_code.lua http://127.0.0.1:18080/
// with random_code.lua:
//   request = function() return wrk.format("GET", "/l" .. math.random(0, 999999)) end
// It prints the server's CPU time per answered request when it stops.
TEST_CASE("edge: serve links for a load generator", "[.serve]") {
  auto env = [](const char* name, long fallback) {
    const char* v = getenv(name);
    return v ? std::atol(v) : fallback;
  };
  long links = env("SHORTLINK_SERVE_LINKS", 1'000'000);
  EdgeServerOptions options;
  options.host = "127.0.0.1";
  options.port = static_cast<unsigned short>(env("SHORTLINK_SERVE_PORT", 18080));
  options.threads = static_cast<int>(env("SHORTLINK_SERVE_THREADS", 1));
  REQUIRE(options.responder.pages.SetNotFound("<html><body>no such link</body></html>\n").ok());
  LinkTable table;
  {
    RcuThreadScope rcu;
    std::mt19937_64 rnd(1);
    for (long i = 0; i < links; ++i) {
      table.Upsert("l" + std::to_string(i),
                   "https://www.example-" + std::to_string(rnd() % 1000) + ".com/articles/" +
                       std::to_string(rnd() % 1000000000) + "/a-readable-slug-" +
                       std::to_string(i) + "?utm_source=news",
                   LinkState::kActive);
    }
  }
  EdgeServer edge(&table, options);
  REQUIRE(edge.Start().ok());
  auto cpu_seconds = [] {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
  };
  auto answered = [&] {
    uint64_t n = 0;
    for (const auto& s : edge.stats())
      n += s->responses_2xx.load() + s->responses_3xx.load() + s->responses_404.load() +
           s->responses_4xx_other.load() + s->responses_5xx.load();
    return n;
  };
  WARN("serving " << table.size() << " links on 127.0.0.1:" << options.port << ", table "
                  << table.memory_bytes() / (1024 * 1024) << " MiB");
  double cpu0 = cpu_seconds();
  uint64_t n0 = answered();
  std::this_thread::sleep_for(std::chrono::seconds(env("SHORTLINK_SERVE_SECONDS", 30)));
  double cpu = cpu_seconds() - cpu0;
  uint64_t n = answered() - n0;
  uint64_t not_3xx = 0;
  for (const auto& s : edge.stats())
    not_3xx += s->responses_2xx.load() + s->responses_404.load() + s->responses_4xx_other.load() +
               s->responses_5xx.load();
  WARN(n << " requests, " << not_3xx << " not 3xx, " << (n ? cpu * 1e6 / double(n) : 0.0)
         << " us of process CPU per request");
  edge.Stop();
}

}  // namespace shortlink::redirector
