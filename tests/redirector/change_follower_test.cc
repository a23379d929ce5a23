#include "sync/change_follower.h"

#include <catch2/catch.hpp>

#include "sync_test_support.h"

namespace shortlink::redirector {
namespace {

using namespace std::chrono_literals;
using testing::FakeAdmin;
using testing::MakeLink;
using testing::MapSink;
using testing::RedisServer;
using testing::TempDir;
using testing::WaitUntil;

constexpr const char* kToken = "node-secret";

// One node: replica, table and follower, with short intervals for tests.
struct Node {
  Node(const std::string& dir, const std::string& admin_url, const std::string& redis) {
    auto opened = ReplicaStore::Open(dir);
    REQUIRE(opened.ok());
    store = std::move(opened).value();
    AdminClientOptions admin_options;
    admin_options.url = admin_url;
    admin_options.node_token = kToken;
    admin_options.connect_timeout = 300ms;
    admin_options.io_timeout = 2s;
    auto admin = AdminClient::Create(admin_options);
    REQUIRE(admin.ok());
    ChangeFollowerOptions options;
    options.redis = redis;
    options.poll_interval = 200ms;
    options.verify_interval = 400ms;
    options.backoff_min = 20ms;
    options.backoff_max = 200ms;
    options.redis_options.ping_interval = 500ms;
    options.redis_options.reconnect_min = 20ms;
    options.redis_options.reconnect_max = 200ms;
    options.on_ready = [this] { ++ready_calls; };
    follower = std::make_unique<ChangeFollower>(store.get(), &table, std::move(admin).value(),
                                                options, &metrics);
  }
  ~Node() {
    follower.reset();  // before the table and store it writes
  }

  bool Serves(const std::string& code, const std::string& url) {
    return WaitUntil([&] { return table.Get(code) == url; });
  }
  // Caught up with the log and listening on Redis for what comes next.
  bool Following() {
    return WaitUntil(
        [&] { return follower->status().redis_connected && follower->status().in_sync; });
  }

  MapSink table;
  std::unique_ptr<ReplicaStore> store;
  MetricsRegistry metrics;
  std::atomic<int> ready_calls{0};
  std::unique_ptr<ChangeFollower> follower;
};

// Redis, an admin-api holding link "a", and a node pointed at both, started.
class StartedNode {
 protected:
  StartedNode() {
    admin.Upsert(MakeLink("a", "https://a.example/"));
    REQUIRE(node.follower->Start().ok());
  }

  TempDir dir;
  RedisServer redis{dir.sub("redis")};
  FakeAdmin admin{kToken, &redis};
  Node node{dir.sub("node"), admin.url(), redis.address()};
};

}  // namespace

TEST_CASE("a new node snapshots, becomes ready, then follows live changes",
          "[follower][concurrent]") {
  TempDir dir;
  RedisServer redis(dir.sub("redis"));
  FakeAdmin admin(kToken, &redis);
  admin.Upsert(MakeLink("a", "https://a.example/"));
  admin.Upsert(MakeLink("b", "https://b.example/"));
  admin.Upsert(MakeLink("gone", "https://gone.example/"));
  admin.Delete("gone");

  Node node(dir.sub("node"), admin.url(), redis.address());
  REQUIRE(node.follower->Start().ok());
  REQUIRE(WaitUntil([&] { return node.follower->ready(); }));
  CHECK(node.ready_calls == 1);
  CHECK(admin.snapshot_requests() == 1);
  CHECK(node.table.Get("a") == "https://a.example/");
  CHECK(node.table.size() == 2);
  REQUIRE(node.Following());

  admin.Upsert(MakeLink("c", "https://c.example/"));
  CHECK(node.Serves("c", "https://c.example/"));
  admin.Upsert(MakeLink("a", "https://a2.example/", LinkState::kInactive));
  CHECK(node.Serves("a", "inactive:https://a2.example/"));
  admin.Delete("b");
  CHECK(node.Serves("b", ""));
  auto status = node.follower->status();
  CHECK(status.applied_seq == 7);
  CHECK(status.head_seq == 7);
  CHECK(status.last_error.empty());
  std::string metrics = node.metrics.Render();
  CHECK(metrics.find("shortlink_redirector_applied_seq 7") != std::string::npos);
  CHECK(metrics.find("shortlink_redirector_redis_connected 1") != std::string::npos);
}

TEST_CASE_METHOD(StartedNode, "a lost message is noticed at the next one and fetched from the log",
                 "[follower][concurrent]") {
  REQUIRE(node.Following());

  admin.Upsert(MakeLink("lost", "https://lost.example/"), /*publish=*/false);
  admin.Upsert(MakeLink("next", "https://next.example/"));
  CHECK(node.Serves("next", "https://next.example/"));
  CHECK(node.table.Get("lost") == "https://lost.example/");
  CHECK(node.metrics.Render().find("shortlink_redirector_sync_gaps_total 1") != std::string::npos);

  // A lost last message, with nothing after it: the periodic check finds it.
  admin.Upsert(MakeLink("last", "https://last.example/"), /*publish=*/false);
  CHECK(node.Serves("last", "https://last.example/"));
}

TEST_CASE_METHOD(StartedNode, "with Redis down the node polls, and resubscribes when it is back",
                 "[follower][concurrent]") {
  REQUIRE(node.Following());

  redis.Kill();
  REQUIRE(WaitUntil([&] { return !node.follower->status().redis_connected; }));
  admin.Upsert(MakeLink("while-down", "https://down.example/"));  // the PUBLISH goes nowhere
  CHECK(node.Serves("while-down", "https://down.example/"));
  CHECK(node.table.Get("a") == "https://a.example/");

  redis.Start();
  REQUIRE(WaitUntil([&] { return node.follower->status().redis_connected; }));
  admin.Upsert(MakeLink("after", "https://after.example/"));
  CHECK(node.Serves("after", "https://after.example/"));
}

TEST_CASE_METHOD(StartedNode, "with admin-api down the node serves and retries",
                 "[follower][concurrent]") {
  REQUIRE(WaitUntil([&] { return node.follower->status().in_sync; }));

  admin.SetFailing(true);
  // A message that follows on applies even while the log is unreachable...
  admin.Upsert(MakeLink("live", "https://live.example/"));
  CHECK(node.Serves("live", "https://live.example/"));
  // ...but after a gap the node needs the log, and keeps serving meanwhile.
  admin.Upsert(MakeLink("lost", "https://lost.example/"), /*publish=*/false);
  admin.Upsert(MakeLink("held", "https://held.example/"));
  REQUIRE(WaitUntil([&] { return !node.follower->status().last_error.empty(); }));
  CHECK_FALSE(node.follower->status().admin_reachable);
  CHECK(node.table.Get("a") == "https://a.example/");
  CHECK(node.table.Get("held").empty());

  admin.SetFailing(false);
  CHECK(node.Serves("lost", "https://lost.example/"));
  CHECK(node.Serves("held", "https://held.example/"));
  REQUIRE(WaitUntil([&] { return node.follower->status().last_error.empty(); }));
  CHECK(node.follower->status().admin_reachable);
}

TEST_CASE("a restarted node serves from its replica with admin-api and Redis both down",
          "[follower][concurrent]") {
  TempDir dir;
  {
    RedisServer redis(dir.sub("redis"));
    FakeAdmin admin(kToken, &redis);
    for (int i = 0; i < 50; ++i)
      admin.Upsert(MakeLink("l" + std::to_string(i), "https://l.example/" + std::to_string(i)));
    Node node(dir.sub("node"), admin.url(), redis.address());
    REQUIRE(node.follower->Start().ok());
    admin.Upsert(MakeLink("live", "https://live.example/"));
    REQUIRE(node.Serves("live", "https://live.example/"));
  }
  // Nothing listens on either address now.
  Node node(dir.sub("node"), "http://127.0.0.1:" + std::to_string(testing::FreePort()),
            "127.0.0.1:" + std::to_string(testing::FreePort()));
  REQUIRE(node.follower->Start().ok());
  CHECK(node.follower->ready());  // at once, before any network
  CHECK(node.table.size() == 51);
  CHECK(node.table.Get("l7") == "https://l.example/7");
  CHECK(node.table.Get("live") == "https://live.example/");
  CHECK(node.follower->status().applied_seq == 51);
  REQUIRE(WaitUntil([&] { return !node.follower->status().last_error.empty(); }));
  CHECK(node.table.size() == 51);
}

TEST_CASE("a node behind a compacted log takes a snapshot", "[follower][concurrent]") {
  TempDir dir;
  RedisServer redis(dir.sub("redis"));
  FakeAdmin admin(kToken, &redis);
  admin.Upsert(MakeLink("a", "https://a.example/"));
  admin.Upsert(MakeLink("b", "https://b.example/"));
  {
    Node node(dir.sub("node"), admin.url(), redis.address());
    REQUIRE(node.follower->Start().ok());
    REQUIRE(node.Serves("b", "https://b.example/"));
  }
  // While the node is away: edits, a delete, and the log compacted.
  admin.Delete("a");
  admin.Upsert(MakeLink("b", "https://b2.example/"));
  admin.Upsert(MakeLink("c", "https://c.example/"));
  admin.Compact(4);

  Node node(dir.sub("node"), admin.url(), redis.address());
  REQUIRE(node.follower->Start().ok());
  CHECK(node.table.Get("a") == "https://a.example/");  // the replica, at once
  // The snapshot's differences reach the table one by one, in code order:
  // wait for each rather than for the first.
  CHECK(node.Serves("a", ""));
  CHECK(node.Serves("b", "https://b2.example/"));
  CHECK(node.Serves("c", "https://c.example/"));
  CHECK(admin.snapshot_requests() == 2);  // the first start, and this one
  CHECK(node.follower->status().applied_seq == 5);
  admin.Upsert(MakeLink("d", "https://d.example/"));
  CHECK(node.Serves("d", "https://d.example/"));
}

TEST_CASE("without Redis configured the node polls the log", "[follower][concurrent]") {
  TempDir dir;
  FakeAdmin admin(kToken);
  admin.Upsert(MakeLink("a", "https://a.example/"));
  Node node(dir.sub("node"), admin.url(), "");
  REQUIRE(node.follower->Start().ok());
  CHECK(node.Serves("a", "https://a.example/"));
  admin.Upsert(MakeLink("b", "https://b.example/"));
  CHECK(node.Serves("b", "https://b.example/"));
  CHECK_FALSE(node.follower->status().redis_connected);
}

TEST_CASE("stopping during a snapshot from a stalled admin-api is prompt",
          "[follower][concurrent]") {
  TempDir dir;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor silent(
      ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  Node node(dir.sub("node"), "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()),
            "");
  REQUIRE(node.follower->Start().ok());
  CHECK_FALSE(node.follower->ready());  // new, and no snapshot to be had
  std::this_thread::sleep_for(200ms);
  auto started = std::chrono::steady_clock::now();
  node.follower->Stop();
  CHECK(std::chrono::steady_clock::now() - started < 1s);
}

}  // namespace shortlink::redirector
