// ChangePublisher as serve.cc wires it: the link writer's change listener,
// against a real redis-server and a real RocksDB in a temp dir. A test
// subscriber follows shortlink:changes as a node does.
#include "nodes/change_publisher.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/change.h"
#include "common/protocol.h"
#include "common/redis_client.h"
#include "link_test_support.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace shortlink::admin {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;
using testing::TempDir;
using testing::WaitUntil;

// The link writer with the publisher as its one listener, as in serve.cc.
struct Writer {
  Writer(const std::string& dir, const std::string& redis)
      : db(std::move(Database::Open(dir)).value()),
        publisher(redis, &metrics),
        service(std::move(LinkService::Start(db.get(), &index, &metrics, {&publisher})).value()) {}

  // Creates `n` links, `per_commit` to a SubmitAndWait; returns when all are durable.
  void Create(int n, int per_commit = 1) {
    for (int i = 0; i < n; i += per_commit) {
      std::vector<Mutation> group;
      for (int j = i; j < n && j < i + per_commit; ++j) {
        group.emplace_back(CreateLink{1, "https://example.com/" + std::to_string(j), ""});
      }
      testing::SubmitOk(service.get(), std::move(group));
    }
  }
  uint64_t published() { return metrics.GetCounter("admin_changes_published_total", "")->value(); }
  uint64_t unpublished() {
    return metrics.GetCounter("admin_changes_unpublished_total", "")->value();
  }

  MetricsRegistry metrics;
  std::unique_ptr<Database> db;
  LinkIndex index;
  ChangePublisher publisher;
  std::unique_ptr<LinkService> service;
};

// A node's view of the channel: the seq of every change heard, in order.
class Subscriber {
 public:
  explicit Subscriber(const RedisServer& server) : redis_(std::move(server.Connect()).value()) {
    redis_.Append({"SUBSCRIBE", kChangesChannel});
    REQUIRE(redis_.Flush().ok());
    auto confirmed = redis_.WaitForReply(2s);
    REQUIRE(confirmed.ok());
    REQUIRE(confirmed->has_value());
  }

  // Reads until `n` changes were heard or `timeout` passed.
  std::vector<uint64_t> Seqs(size_t n, std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (seqs_.size() < n && std::chrono::steady_clock::now() < deadline) {
      auto message = redis_.WaitForReply(100ms);
      REQUIRE(message.ok());
      if (!message->has_value()) continue;
      const RedisReply& reply = **message;
      REQUIRE(reply.elements.size() == 3);
      auto change = DecodeChange(reply.elements[2].text);
      REQUIRE(change.ok());
      seqs_.push_back(change->seq);
    }
    return seqs_;
  }

 private:
  RedisConnection redis_;
  std::vector<uint64_t> seqs_;
};

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (uint64_t s = first; s <= last; ++s) out.push_back(s);
  return out;
}

// Redis's count of socket reads so far: pipelined commands share reads.
long long ReadsProcessed(const RedisServer& server) {
  std::string info = server.Query({"INFO", "stats"});
  constexpr std::string_view kField = "total_reads_processed:";
  size_t at = info.find(kField);
  REQUIRE(at != std::string::npos);
  return std::stoll(info.substr(at + kField.size()));
}

// Redis, a node subscribed to its changes channel, and the link writer
// publishing there.
class WriterAndNode {
 protected:
  TempDir dir;
  RedisServer redis{dir.sub("redis")};
  Subscriber node{redis};
  Writer writer{dir.sub("db"), redis.address()};
};

}  // namespace

TEST_CASE_METHOD(WriterAndNode, "change publisher: committed changes go out in commit order",
                 "[publisher][concurrent]") {
  // From four threads at once: commits group them, seqs interleave.
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) clients.emplace_back([&] { writer.Create(50, 5); });
  for (auto& c : clients) c.join();

  CHECK(node.Seqs(200) == Range(1, 200));
  CHECK(WaitUntil([&] { return writer.published() == 200; }));
  CHECK(writer.unpublished() == 0);
  CHECK(writer.publisher.connected());
}

TEST_CASE_METHOD(WriterAndNode,
                 "change publisher: a burst is pipelined, not a round trip per change",
                 "[publisher][concurrent]") {
  writer.Create(1);
  REQUIRE(node.Seqs(1) == Range(1, 1));

  // Redis stalls (well inside the publisher's 1 s timeout) while 500
  // changes queue up behind the one in flight; resumed, they arrive in few
  // writes. One PUBLISH per round trip would cost Redis 500 reads.
  long long reads_before = ReadsProcessed(redis);
  redis.Pause();
  writer.Create(500, 50);
  std::this_thread::sleep_for(100ms);
  redis.Resume();
  CHECK(node.Seqs(501) == Range(1, 501));
  CHECK(ReadsProcessed(redis) - reads_before < 100);
  CHECK(writer.unpublished() == 0);
}

TEST_CASE(
    "change publisher: a hung or absent Redis delays no write and later changes go out "
    "in order once it is back",
    "[publisher][concurrent]") {
  TempDir dir;
  RedisServer redis(dir.sub("redis"));
  Writer writer(dir.sub("db"), redis.address());
  writer.Create(1);
  REQUIRE(WaitUntil([&] { return writer.published() == 1; }));

  // Hung: connections open but nothing answers, so every publish attempt
  // waits out its 1 s timeout. The writes must not wait with it.
  redis.Pause();
  auto started = std::chrono::steady_clock::now();
  writer.Create(5);
  CHECK(std::chrono::steady_clock::now() - started < 2500ms);

  // Gone: the changes meanwhile are dropped and counted (nodes read them
  // from the change log), never queued for later.
  redis.Kill();
  started = std::chrono::steady_clock::now();
  writer.Create(5);
  CHECK(std::chrono::steady_clock::now() - started < 2500ms);
  CHECK(WaitUntil([&] { return writer.unpublished() == 10; }));
  CHECK_FALSE(writer.publisher.connected());

  // Back (empty, on the same port): the publisher reconnects on its own,
  // and what commits from then on is published, in order.
  redis.Start();
  Subscriber node(redis);
  REQUIRE(WaitUntil([&] { return writer.publisher.connected(); }));
  writer.Create(30, 3);
  CHECK(node.Seqs(30) == Range(12, 41));
  CHECK(WaitUntil([&] { return writer.published() == 31; }));
  CHECK(writer.unpublished() == 10);
}

TEST_CASE("change publisher: with no --redis nothing is published or counted",
          "[publisher][concurrent]") {
  TempDir dir;
  Writer writer(dir.sub("db"), "");
  writer.Create(3);
  CHECK(writer.published() == 0);
  CHECK(writer.unpublished() == 0);
  CHECK_FALSE(writer.publisher.connected());
}

}  // namespace shortlink::admin
