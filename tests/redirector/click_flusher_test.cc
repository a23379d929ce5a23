// ClickFlusher against a real redis-server and a fake admin-api that
// consumes the click stream with admin-api's rules (batch N of a node
// applied only when N == watermark + 1, duplicates are no-ops, batches out
// of order refused) and serves the watermark endpoint. The fake can stop
// consuming, fail its HTTP endpoint and start from any watermark, which the
// real one cannot be made to do on cue; tests/e2e/test_clicks.py covers the
// same ground with the real admin-api and real redirectors.
#include "clicks/click_flusher.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "common/click_batch.h"
#include "common/protocol.h"
#include "common/redis_client.h"
#include "sync_test_support.h"

namespace shortlink::redirector {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;
using testing::TempDir;
using testing::WaitUntil;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr const char* kToken = "click-token-0123456789";
constexpr const char* kNode = "node-a";

// admin-api's click half: a stream reader applying batches exactly once,
// and GET /internal/v1/clicks/watermark over plain HTTP.
class FakeClickAdmin {
 public:
  explicit FakeClickAdmin(const RedisServer& redis)
      : redis_(redis),
        acceptor_(ioc_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
    consumer_ = std::thread([this] { Consume(); });
  }
  ~FakeClickAdmin() {
    stopping_ = true;
    consumer_.join();
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    accept_thread_.join();
    boost::system::error_code ec;
    acceptor_.close(ec);
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& s : sockets_) ::shutdown(s->native_handle(), SHUT_RDWR);
    }
    for (auto& t : connection_threads_) t.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void SetConsuming(bool consuming) { consuming_ = consuming; }
  void SetHttpFailing(bool failing) { http_failing_ = failing; }
  // Requests are read and never answered while stalled, as a stopped
  // (SIGSTOP) or overloaded admin-api behaves: the client waits for its timeout.
  void SetHttpStalled(bool stalled) { http_stalled_ = stalled; }
  void SetWatermark(const std::string& node, uint64_t number) {
    std::lock_guard<std::mutex> lock(mu_);
    watermarks_[node] = number;
  }
  uint64_t watermark(const std::string& node = kNode) {
    std::lock_guard<std::mutex> lock(mu_);
    return watermarks_[node];
  }
  uint64_t total(const std::string& code) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = totals_.find(code);
    return it == totals_.end() ? 0 : it->second;
  }
  uint64_t all_clicks() {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t sum = 0;
    for (const auto& [code, n] : totals_) sum += n;
    return sum;
  }
  int applied() const { return applied_; }
  int duplicates() const { return duplicates_; }
  int refused() const { return refused_; }
  int watermark_requests() const { return watermark_requests_; }

  // Stream surgery, as a Redis restart or an eviction would do it.
  void DropStream() { redis_.Command({"DEL", kClickStream}); }
  // Deletes the stream entry holding batch `number`; true if found.
  bool DropBatch(uint64_t number) {
    bool found = false;
    for (const RedisReply& entry : redis_.Command({"XRANGE", kClickStream, "-", "+"}).elements) {
      auto batch = DecodeEntry(entry);
      if (batch && batch->number == number) {
        redis_.Command({"XDEL", kClickStream, entry.elements[0].text});
        found = true;
      }
    }
    return found;
  }

 private:
  // A stream entry as XRANGE/XREAD list it: [id, [field, value]].
  static std::optional<ClickBatch> DecodeEntry(const RedisReply& entry) {
    if (entry.elements.size() < 2 || entry.elements[1].elements.size() < 2) return std::nullopt;
    auto batch = DecodeClickBatch(entry.elements[1].elements[1].text);
    if (!batch.ok()) return std::nullopt;
    return std::move(*batch);
  }

  void Apply(const ClickBatch& batch) {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t& watermark = watermarks_[batch.node];
    if (batch.number <= watermark) {
      ++duplicates_;
    } else if (batch.number != watermark + 1) {
      ++refused_;
    } else {
      for (const ClickEntry& e : batch.clicks) totals_[e.code] += e.count;
      watermark = batch.number;
      ++applied_;
    }
  }

  void Consume() {
    std::optional<RedisConnection> c;
    std::string last_id = "0-0";
    while (!stopping_) {
      if (!consuming_) {
        std::this_thread::sleep_for(5ms);
        continue;
      }
      if (!c) {
        auto fresh = redis_.Connect();
        last_id = "0-0";  // perhaps a new Redis: read its stream from the start
        if (!fresh.ok()) {
          std::this_thread::sleep_for(20ms);
          continue;
        }
        c.emplace(std::move(*fresh));
      }
      auto r =
          c->Command({"XREAD", "COUNT", "100", "BLOCK", "20", "STREAMS", kClickStream, last_id});
      if (!r.ok()) {
        c.reset();
        continue;
      }
      // [[stream, [entry, ...]]], or nil when nothing came within BLOCK.
      if (r->type != RedisReply::Type::kArray || r->elements.empty()) continue;
      for (const RedisReply& entry : r->elements[0].elements[1].elements) {
        if (!consuming_) break;
        last_id = entry.elements[0].text;
        if (auto batch = DecodeEntry(entry)) Apply(*batch);
      }
    }
  }

  void AcceptLoop() {
    while (!stopping_) {
      boost::system::error_code ec;
      asio::ip::tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      auto s = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
      std::lock_guard<std::mutex> lock(mu_);
      sockets_.push_back(s);
      connection_threads_.emplace_back([this, s] { Serve(*s); });
    }
  }

  void Serve(asio::ip::tcp::socket& socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::empty_body> req;
      boost::system::error_code ec;
      http::read(socket, buffer, req, ec);
      if (ec) return;
      while (http_stalled_ && !stopping_) std::this_thread::sleep_for(5ms);
      if (stopping_) return;
      std::string target(req.target());
      http::response<http::string_body> res{http::status::ok, 11};
      res.keep_alive(req.keep_alive());
      const std::string prefix = "/internal/v1/clicks/watermark?node=";
      if (http_failing_) {
        res.result(http::status::service_unavailable);
      } else if (req[http::field::authorization] != std::string("Bearer ") + kToken) {
        res.result(http::status::unauthorized);
      } else if (target.starts_with(prefix)) {
        ++watermark_requests_;
        std::string node = target.substr(prefix.size());
        res.set(http::field::content_type, "application/json");
        res.body() =
            R"({"node":")" + node + R"(","applied":)" + std::to_string(watermark(node)) + "}";
      } else {
        res.result(http::status::not_found);
      }
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || !req.keep_alive()) return;
    }
  }

  const RedisServer& redis_;
  asio::io_context ioc_;
  asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> consuming_{true};
  std::atomic<bool> http_failing_{false};
  std::atomic<bool> http_stalled_{false};
  std::atomic<int> applied_{0}, duplicates_{0}, refused_{0}, watermark_requests_{0};
  std::mutex mu_;
  std::map<std::string, uint64_t> watermarks_;                   // GUARDED_BY(mu_)
  std::map<std::string, uint64_t> totals_;                       // GUARDED_BY(mu_)
  std::vector<std::shared_ptr<asio::ip::tcp::socket>> sockets_;  // GUARDED_BY(mu_)
  std::vector<std::thread> connection_threads_;                  // GUARDED_BY(mu_)
  std::thread accept_thread_;
  std::thread consumer_;
};

// Workers (ThreadClicks driven from the test thread), Redis, the fake
// admin-api, and flushers made on demand, each with its own registry.
struct Harness {
  explicit Harness(int threads = 2) {
    std::filesystem::create_directories(dir.sub("node"));
    for (int i = 0; i < threads; ++i) workers.push_back(std::make_unique<ThreadClicks>());
  }

  ClickFlusherOptions Options() const {
    ClickFlusherOptions o;
    o.node_id = kNode;
    o.data_dir = dir.sub("node");
    o.redis = redis.address();
    o.interval = 20ms;
    // The test thread plays the workers' timer (Tick) and counts batches:
    // handovers asked by the flusher would split them unpredictably.
    o.request_handover = false;
    o.resend_after = 300ms;
    o.max_resend_after = 600ms;
    o.redis_timeout = 500ms;
    o.stop_timeout = 3s;
    return o;
  }

  std::unique_ptr<ClickFlusher> Make(ClickFlusherOptions options, bool start = true) {
    AdminClientOptions a;
    a.url = admin.url();
    a.node_token = kToken;
    a.node_id = options.node_id;
    a.connect_timeout = 500ms;
    a.io_timeout = 1000ms;
    auto client = AdminClient::Create(a);
    REQUIRE(client.ok());
    registries.push_back(std::make_unique<MetricsRegistry>());
    auto flusher = ClickFlusher::Create(workers, std::move(client).value(), std::move(options),
                                        registries.back().get());
    REQUIRE(flusher.ok());
    if (start) (*flusher)->Start();
    return std::move(flusher).value();
  }
  std::unique_ptr<ClickFlusher> Make() { return Make(Options()); }

  void Click(size_t worker, const std::string& code, int n) {
    for (int i = 0; i < n; ++i) workers[worker]->Record(code);
  }
  void TickAll() {
    for (auto& w : workers) w->Tick();
  }
  // Ticks the workers until `predicate` holds (the flusher takes a table
  // only once it has returned the previous one, so one Tick may not do).
  bool TickUntil(const std::function<bool()>& predicate,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return WaitUntil(
        [&] {
          TickAll();
          return predicate();
        },
        timeout);
  }

  TempDir dir;
  RedisServer redis{dir.sub("redis")};
  FakeClickAdmin admin{redis};
  std::vector<std::unique_ptr<ThreadClicks>> workers;
  std::vector<std::unique_ptr<MetricsRegistry>> registries;
};

TEST_CASE("click batches carry exact counts and leave once the watermark covers them",
          "[click_flusher]") {
  Harness h;
  auto flusher = h.Make();
  h.Click(0, "alpha", 3);
  h.Click(1, "alpha", 4);
  h.Click(1, "beta", 5);
  REQUIRE(h.TickUntil([&] { return h.admin.all_clicks() == 12; }));
  CHECK(h.admin.total("alpha") == 7);
  CHECK(h.admin.total("beta") == 5);
  // The gauges follow each flush: wait for the acknowledgement itself (a
  // pending gauge read between a send and the flush's end still says 0).
  REQUIRE(WaitUntil([&] { return flusher->acked_clicks() == 12; }));
  REQUIRE(WaitUntil([&] { return flusher->pending_batches() == 0; }));
  CHECK(flusher->pending_clicks() == 0);
  CHECK(flusher->redis_connected());

  // A second round is the next number.
  uint64_t before = h.admin.watermark();
  h.Click(0, "gamma", 2);
  REQUIRE(h.TickUntil([&] { return h.admin.total("gamma") == 2; }));
  CHECK(h.admin.watermark() == before + 1);
  CHECK(h.admin.refused() == 0);
  CHECK(WaitUntil([&] { return flusher->watermark() == h.admin.watermark(); }));
  flusher->Stop();
  CHECK(h.admin.all_clicks() == 14);
}

TEST_CASE("a batch the stream lost is sent again with every later one in order",
          "[click_flusher]") {
  Harness h;
  auto flusher = h.Make();
  h.admin.SetConsuming(false);
  uint64_t recorded = 0;
  for (int round = 1; round <= 3; ++round) {
    // One batch per round: the next clicks are recorded once these are taken.
    h.Click(0, "lost-" + std::to_string(round), round);
    recorded += round;
    REQUIRE(h.TickUntil([&] { return flusher->pending_clicks() == recorded; }));
  }
  REQUIRE(WaitUntil([&] { return flusher->batches_sent() >= 3; }));
  SECTION("the whole stream") { h.admin.DropStream(); }
  SECTION("the oldest batch only: admin-api refuses the later ones as out of order") {
    REQUIRE(h.admin.DropBatch(1));
  }
  h.admin.SetConsuming(true);
  REQUIRE(WaitUntil([&] { return flusher->pending_batches() == 0; }));
  CHECK(h.admin.total("lost-1") == 1);
  CHECK(h.admin.total("lost-2") == 2);
  CHECK(h.admin.total("lost-3") == 3);
  CHECK(h.admin.watermark() == 3);
  CHECK(h.registries.back()->Render().find("shortlink_redirector_click_batches_resent_total 0") ==
        std::string::npos);
}

TEST_CASE("a Redis restart loses no click: batches wait and go to the new Redis",
          "[click_flusher]") {
  Harness h;
  auto flusher = h.Make();
  h.admin.SetConsuming(false);  // sent, not yet read when Redis dies
  h.Click(0, "restart", 10);
  REQUIRE(h.TickUntil([&] { return flusher->batches_sent() >= 1; }));
  h.redis.Kill();
  h.Click(1, "restart", 20);  // while Redis is down: kept on the node
  REQUIRE(
      h.TickUntil([&] { return !flusher->redis_connected() && flusher->pending_clicks() == 30; }));
  h.redis.Start();  // same port, empty
  h.admin.SetConsuming(true);
  REQUIRE(h.TickUntil([&] { return flusher->pending_batches() == 0; }));
  CHECK(h.admin.total("restart") == 30);
  CHECK(flusher->lost_clicks() == 0);
  CHECK(flusher->redis_connected());
}

TEST_CASE("Stop drains the stopped workers' tables and waits for the watermark",
          "[click_flusher]") {
  Harness h;
  auto flusher = h.Make();
  h.Click(0, "stop", 7);  // never handed over: still the worker's active table
  h.Click(1, "stop", 8);
  h.workers[1]->Tick();  // handed over, perhaps not taken yet
  h.Click(1, "stop", 9);
  auto started = std::chrono::steady_clock::now();
  flusher->Stop();
  CHECK(std::chrono::steady_clock::now() - started < 3s);
  CHECK(h.admin.total("stop") == 24);  // applied before Stop returned
  CHECK(flusher->pending_batches() == 0);
  // The workers' tables are usable again (what a restart of the edge would do).
  h.Click(0, "stop", 1);
  h.Click(1, "stop", 1);
}

TEST_CASE("numbering survives a restart: pending batches come back from the state file",
          "[click_flusher]") {
  Harness h;
  auto options = h.Options();
  options.stop_timeout = 300ms;
  {
    auto flusher = h.Make(options);
    h.admin.SetConsuming(false);
    h.Click(0, "persist", 4);
    REQUIRE(h.TickUntil([&] { return flusher->pending_clicks() == 4; }));
    h.Click(1, "persist", 6);
    REQUIRE(h.TickUntil([&] { return flusher->pending_clicks() == 10; }));
    REQUIRE(WaitUntil([&] { return flusher->batches_sent() >= 2; }));
    flusher->Stop();  // admin-api reads nothing: both stay pending
    CHECK(flusher->pending_batches() == 2);
    // Each sealed batch has a file of its own.
    size_t files = 0;
    for (const auto& f : std::filesystem::directory_iterator(flusher->state_path() + ".batches"))
      files += f.path().extension() == ".batch" ? 1 : 0;
    CHECK(files == 2);
  }
  h.admin.DropStream();  // and Redis lost them too
  h.admin.SetConsuming(true);
  auto flusher = h.Make(h.Options(), /*start=*/false);
  CHECK(flusher->pending_batches() == 2);
  flusher->Start();
  h.Click(0, "persist", 5);
  REQUIRE(h.TickUntil([&] { return h.admin.total("persist") == 15; }));
  CHECK(h.admin.watermark() == 3);  // 1 and 2 from the file, then 3
  REQUIRE(WaitUntil([&] { return flusher->pending_batches() == 0; }));
  flusher->Stop();

  // Everything applied: the next life starts after the watermark.
  auto next = h.Make();
  h.Click(1, "persist", 1);
  REQUIRE(h.TickUntil([&] { return h.admin.total("persist") == 16; }));
  CHECK(h.admin.watermark() == 4);
  CHECK(h.admin.duplicates() == 0);
}

TEST_CASE(
    "a lost state file: numbers follow admin-api's watermark and no click is taken for a duplicate",
    "[click_flusher]") {
  Harness h;
  h.admin.SetWatermark(kNode, 500);  // a previous life of this node applied 500 batches
  SECTION("admin-api reachable from the start") {
    auto flusher = h.Make();
    h.Click(0, "fresh", 3);
    REQUIRE(h.TickUntil([&] { return h.admin.total("fresh") == 3; }));
    CHECK(h.admin.watermark() == 501);
  }
  SECTION("admin-api unreachable at first: nothing is sent until the watermark is known") {
    h.admin.SetHttpFailing(true);
    auto flusher = h.Make();
    h.Click(0, "fresh", 3);
    h.TickUntil([] { return false; }, 500ms);
    CHECK(flusher->batches_sent() == 0);
    CHECK(flusher->pending_clicks() == 3);
    h.Click(1, "fresh", 2);  // joins the same open batch
    h.TickUntil([&] { return flusher->pending_clicks() == 5; });
    CHECK(flusher->pending_batches() == 1);
    h.admin.SetHttpFailing(false);
    REQUIRE(h.TickUntil([&] { return h.admin.total("fresh") == 5; }));
    CHECK(h.admin.watermark() == 501);
  }
  CHECK(h.admin.duplicates() == 0);
}

TEST_CASE("a corrupt state file is kept aside and the node goes on", "[click_flusher]") {
  Harness h;
  std::string path;
  {
    auto probe = h.Make(h.Options(), /*start=*/false);
    path = probe->state_path();
  }
  std::ofstream(path, std::ios::binary) << "SLCLICK1 garbage that fails its checksum";
  auto flusher = h.Make();
  CHECK(std::filesystem::exists(path + ".corrupt"));
  CHECK(h.registries.back()->Render().find("shortlink_redirector_click_state_errors_total 1") !=
        std::string::npos);
  h.Click(0, "after-corrupt", 2);
  REQUIRE(h.TickUntil([&] { return h.admin.total("after-corrupt") == 2; }));
}

TEST_CASE("while admin-api does not consume new clicks merge into one open batch",
          "[click_flusher]") {
  Harness h;
  auto options = h.Options();
  options.max_in_flight = 2;
  auto flusher = h.Make(options);
  h.admin.SetConsuming(false);
  uint64_t recorded = 0;
  for (int round = 0; round < 10; ++round) {
    h.Click(round % 2, "merge-" + std::to_string(round % 3), 10);
    recorded += 10;
    REQUIRE(h.TickUntil([&] { return flusher->pending_clicks() == recorded; }));
  }
  CHECK(flusher->pending_batches() <= 3);  // two in flight and the open one
  h.admin.SetConsuming(true);
  REQUIRE(h.TickUntil([&] { return flusher->pending_batches() == 0; }));
  CHECK(h.admin.all_clicks() == recorded);
}

TEST_CASE("overflow drops the oldest batch and counts it and the watermark moves past the gap",
          "[click_flusher]") {
  Harness h;
  auto options = h.Options();
  options.max_pending_batches = 3;
  auto flusher = h.Make(options);
  h.admin.SetConsuming(false);
  uint64_t recorded = 0;
  for (int round = 1; round <= 5; ++round) {
    h.Click(0, "over-" + std::to_string(round), round);
    recorded += round;
    REQUIRE(h.TickUntil(
        [&] { return flusher->pending_clicks() + flusher->lost_clicks() == recorded; }));
  }
  CHECK(flusher->pending_batches() == 3);
  CHECK(flusher->lost_clicks() == 1 + 2);  // batches 1 and 2
  CHECK(h.registries.back()->Render().find("shortlink_redirector_click_batches_dropped_total 2") !=
        std::string::npos);
  h.admin.DropStream();  // the dropped ones are gone for good
  h.admin.SetConsuming(true);
  REQUIRE(WaitUntil([&] { return flusher->pending_batches() == 0; }));
  CHECK(h.admin.watermark() == 5);  // 1 and 2 as empty batches
  CHECK(h.admin.total("over-1") == 0);
  CHECK(h.admin.total("over-2") == 0);
  CHECK(h.admin.total("over-3") == 3);
  CHECK(h.admin.total("over-5") == 5);
}

TEST_CASE("Stop with Redis down is bounded and leaves the clicks for the next start",
          "[click_flusher]") {
  Harness h;
  {
    auto flusher = h.Make();
    REQUIRE(WaitUntil([&] { return flusher->redis_connected(); }));
    h.redis.Kill();
    h.Click(0, "down", 11);
    auto started = std::chrono::steady_clock::now();
    flusher->Stop();
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    CHECK(flusher->pending_clicks() == 11);
  }
  h.redis.Start();
  auto flusher = h.Make();
  REQUIRE(h.TickUntil([&] { return h.admin.total("down") == 11; }));
}

// A worker hands its table over on its own timer (once a second in the
// edge server); the flusher asks for it before each flush as well, so a
// click waits for one flush, not for the worker's timer and then a flush.
TEST_CASE("each flush takes the clicks counted up to it without waiting for the worker's timer",
          "[click_flusher]") {
  Harness h(1);
  auto options = h.Options();
  options.interval = 200ms;
  options.request_handover = true;  // as in production
  auto flusher = h.Make(options);
  ThreadClicks& worker = *h.workers[0];
  for (int i = 0; i < 5; ++i) worker.Record("early");
  // The worker never calls Tick(): only the flusher's request moves the table.
  bool arrived = WaitUntil(
      [&] {
        worker.Record("later");
        return h.admin.total("early") == 5;
      },
      std::chrono::seconds(10));
  CHECK(arrived);
  CHECK(worker.dropped() == 0);
}

// Records `prefix`0 .. `prefix`199999 once each, 1,000 codes at a time:
// 200,000 distinct codes a second (50,000 in sanitized builds, which drain
// tables several times slower: measured ~130k codes/s under ASan beside
// another test).
constexpr int kDistinctCodes = 200'000;
void RecordDistinctCodes(ThreadClicks& worker, char prefix) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  constexpr auto kPause = 20ms;
#else
  constexpr auto kPause = 5ms;
#endif
  char code[16];
  for (int i = 0; i < kDistinctCodes; ++i) {
    int n = std::snprintf(code, sizeof code, "%c%d", prefix, i);
    worker.Record(std::string_view(code, n));
    if (i % 1000 == 999) std::this_thread::sleep_for(kPause);
  }
}

// At 100k requests/s over a million links nearly every click is a new code:
// a worker's table (12,288 codes) fills in about 120 ms, many times a
// flush interval. The collector takes full tables every few milliseconds,
// so the worker always has its spare back in time and drops nothing.
TEST_CASE("a worker seeing 200,000 distinct codes a second drops no click", "[click_flusher]") {
  Harness h(1);
  auto flusher = h.Make();  // flushes once a second, as in production
  ThreadClicks& worker = *h.workers[0];
  RecordDistinctCodes(worker, 'c');
  CHECK(worker.dropped() == 0);
  REQUIRE(h.TickUntil([&] { return h.admin.all_clicks() == kDistinctCodes; }));
  CHECK(h.admin.total("c0") == 1);
  CHECK(h.admin.total("c199999") == 1);
  CHECK(flusher->lost_clicks() == 0);
}

// The flusher's network work (the watermark poll, XADD, the state file)
// can block for its timeouts when admin-api hangs; taking the workers'
// tables must go on meanwhile, or a busy worker drops clicks.
TEST_CASE("a worker seeing 200,000 distinct codes a second drops no click while admin-api hangs",
          "[click_flusher]") {
  Harness h(1);
  auto flusher = h.Make();  // flushes once a second; the harness's admin timeout is 1 s
  ThreadClicks& worker = *h.workers[0];
  REQUIRE(WaitUntil([&] { return h.admin.watermark_requests() > 0; }, std::chrono::seconds(5)));
  h.admin.SetConsuming(false);
  h.admin.SetHttpStalled(true);  // every watermark poll now waits for its timeout
  RecordDistinctCodes(worker, 'h');
  CHECK(worker.dropped() == 0);
  h.admin.SetHttpStalled(false);
  h.admin.SetConsuming(true);
  REQUIRE(h.TickUntil([&] { return h.admin.all_clicks() == kDistinctCodes; }));
  CHECK(h.admin.total("h0") == 1);
  CHECK(h.admin.total("h199999") == 1);
  CHECK(flusher->lost_clicks() == 0);
}

// Workers recording and ticking on their own threads while the flusher
// drains them: exact totals, and the pipeline's throughput.
TEST_CASE("concurrent workers: every click arrives exactly once", "[click_flusher][concurrent]") {
  constexpr int kThreads = 2;
  constexpr int kCodes = 5000;
  constexpr int kPerThread = 2'000'000;
  Harness h(kThreads);
  auto options = h.Options();
  options.interval = 100ms;
  options.request_handover = true;  // workers hand over on request too, as in production
  auto flusher = h.Make(options);
  std::vector<std::string> codes;
  for (int i = 0; i < kCodes; ++i) codes.push_back("code-" + std::to_string(i));

  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ThreadClicks& clicks = *h.workers[t];
      auto last_tick = std::chrono::steady_clock::now();
      for (int i = 0; i < kPerThread; ++i) {
        clicks.Record(codes[(i * 7 + t) % kCodes]);
        if ((i & 4095) == 0 && std::chrono::steady_clock::now() - last_tick > 50ms) {
          clicks.Tick();
          last_tick = std::chrono::steady_clock::now();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto recorded = std::chrono::steady_clock::now();
  flusher->Stop();  // the workers are done: their active tables are drained here
  auto applied = std::chrono::steady_clock::now();
  uint64_t total = uint64_t{kThreads} * kPerThread;
  CHECK(h.admin.all_clicks() == total);
  uint64_t dropped = 0;
  for (auto& w : h.workers) dropped += w->dropped();
  CHECK(dropped == 0);
  CHECK(flusher->lost_clicks() == 0);
  double seconds = std::chrono::duration<double>(applied - started).count();
  std::printf(
      "clicks pipeline: %llu clicks on %d codes from %d threads in %.2f s (%.0f clicks/s), "
      "%.0f ms from the last click to applied, %llu batches\n",
      static_cast<unsigned long long>(total), kCodes, kThreads, seconds, total / seconds,
      std::chrono::duration<double, std::milli>(applied - recorded).count(),
      static_cast<unsigned long long>(h.admin.watermark()));
}

}  // namespace
}  // namespace shortlink::redirector
