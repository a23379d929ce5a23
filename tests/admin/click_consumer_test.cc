// ClickConsumer as serve.cc wires it (over the link writer), against a real
// redis-server and a real RocksDB in a temp dir. The test XADDs batches as
// a node's click flusher does, including the ones a flusher never sends
// (malformed, out of order) and duplicates, which resends and Redis
// restarts do produce.
#include "nodes/click_consumer.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/click_batch.h"
#include "common/clock.h"
#include "common/protocol.h"
#include "common/redis_stream.h"
#include "link_test_support.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace shortlink::admin {
namespace {

using testing::RedisServer;
using testing::TempDir;
using testing::WaitUntil;

constexpr char kNode[] = "node-a";

// admin-api's half: the database, the link writer and the consumer, as
// serve.cc builds them. Destroying it and building another over the same
// directory is a restart. The consumer, a member of the derived class,
// stops before the writer it submits to.
struct Admin : testing::ServiceOn {
  Admin(const std::string& dir, const std::string& redis)
      : ServiceOn(dir), consumer(redis, service.get(), &metrics) {}

  void CreateLinks(const std::vector<std::string>& codes) {
    std::vector<Mutation> creates;
    for (const auto& code : codes) {
      creates.emplace_back(CreateLink{1, "https://example.com/" + code, code});
    }
    testing::SubmitOk(service.get(), std::move(creates));
  }
  uint64_t clicks(const std::string& code) const { return index.Get(code)->clicks; }
  uint64_t applied() { return metrics.GetCounter("admin_click_batches_total", "")->value(); }
  uint64_t catch_ups() { return metrics.GetCounter("admin_click_catch_ups_total", "")->value(); }
  int64_t work_paced() { return metrics.GetGauge("admin_click_work_paced", "")->value(); }
  uint64_t paced_commits() { return metrics.GetCounter("admin_commits_paced_total", "")->value(); }
  uint64_t refused() {
    return metrics.GetCounter("admin_click_batches_refused_total", "")->value();
  }

  ClickConsumer consumer;
};

// A node's flusher: XADDs to shortlink:clicks, pipelined.
class Node {
 public:
  explicit Node(const RedisServer& server) : redis_(std::move(server.Connect()).value()) {}

  void Send(const std::vector<ClickBatch>& batches) {
    std::vector<std::string> raw;
    for (const ClickBatch& b : batches) {
      raw.emplace_back();
      EncodeClickBatch(b, &raw.back());
    }
    SendRaw(raw);
  }
  // Entries whose batch field holds `values` as they are.
  void SendRaw(const std::vector<std::string>& values, std::string_view field = kClickBatchField) {
    for (const auto& v : values) AppendXAdd(redis_, kClickStream, kClickStreamMaxLen, field, v);
    for (size_t i = 0; i < values.size(); ++i) {
      auto reply = redis_.ReadReply();
      REQUIRE(reply.ok());
      REQUIRE_FALSE(reply->is_error());
    }
  }
  // A batch as if Redis had added it `ms_ago` milliseconds ago (an explicit
  // id: a fresh stream takes any).
  void SendAged(const ClickBatch& batch, int64_t ms_ago) {
    std::string raw;
    EncodeClickBatch(batch, &raw);
    std::string id = std::to_string(NowMillis() - ms_ago) + "-1";
    auto reply = redis_.Command({"XADD", kClickStream, id, kClickBatchField, raw});
    REQUIRE(reply.ok());
    REQUIRE_FALSE(reply->is_error());
  }
  // Entries in the stream: acknowledged entries are deleted.
  long long StreamLength() {
    auto reply = redis_.Command({"XLEN", kClickStream});
    REQUIRE(reply.ok());
    return reply->integer;
  }

 private:
  RedisConnection redis_;
};

ClickBatch Batch(uint64_t number, decltype(ClickBatch::clicks) clicks) {
  return ClickBatch{kNode, number, std::move(clicks)};
}

// Redis, admin-api consuming clicks from it, and a node sending them.
class AdminAndNode {
 protected:
  TempDir dir;
  RedisServer redis{dir.sub("redis")};
  Admin admin{dir.sub("db"), redis.address()};
  Node node{redis};
};

}  // namespace

TEST_CASE_METHOD(AdminAndNode, "click consumer: a batch is applied once, however often it arrives",
                 "[consumer][concurrent]") {
  admin.CreateLinks({"a", "b"});

  node.Send({Batch(1, {{"a", 3}, {"b", 1}}), Batch(1, {{"a", 3}, {"b", 1}})});
  REQUIRE(WaitUntil([&] { return admin.applied() == 2 && node.StreamLength() == 0; }));
  CHECK(admin.service->click_watermark(kNode) == 1);
  CHECK(admin.clicks("a") == 3);
  CHECK(admin.clicks("b") == 1);
  CHECK(admin.refused() == 0);
}

TEST_CASE_METHOD(AdminAndNode,
                 "click consumer: duplicates are no-ops, batches out of order are refused",
                 "[consumer][concurrent]") {
  admin.CreateLinks({"a"});

  // 3 before 2: refused (its node sends it again after 2); 1 again: a duplicate.
  node.Send(
      {Batch(1, {{"a", 1}}), Batch(3, {{"a", 100}}), Batch(2, {{"a", 10}}), Batch(1, {{"a", 1}})});
  REQUIRE(WaitUntil([&] { return admin.applied() + admin.refused() == 4; }));
  CHECK(admin.refused() == 1);
  CHECK(admin.service->click_watermark(kNode) == 2);
  CHECK(admin.clicks("a") == 11);
  // Every entry acknowledged and deleted, the refused one too.
  CHECK(WaitUntil([&] { return node.StreamLength() == 0; }));

  node.Send({Batch(3, {{"a", 100}})});  // the resend, in order now
  REQUIRE(WaitUntil([&] { return admin.service->click_watermark(kNode) == 3; }));
  CHECK(admin.clicks("a") == 111);
}

TEST_CASE_METHOD(AdminAndNode,
                 "click consumer: malformed entries are acknowledged and counted, never applied",
                 "[consumer][concurrent]") {
  admin.CreateLinks({"a"});

  node.SendRaw({"\xff\xff not a click batch"});
  node.SendRaw({"whatever"}, "not-batch");  // no batch field at all
  REQUIRE(WaitUntil([&] { return admin.refused() == 2; }));
  CHECK(WaitUntil([&] { return node.StreamLength() == 0; }));
  CHECK(admin.applied() == 0);
  CHECK(admin.service->click_watermark(kNode) == 0);

  // The consumer goes on with the good ones.
  node.Send({Batch(1, {{"a", 4}})});
  REQUIRE(WaitUntil([&] { return admin.applied() == 1; }));
  CHECK(admin.clicks("a") == 4);
  CHECK(admin.refused() == 2);
}

TEST_CASE("click consumer: after a restart it resumes from the stored watermark",
          "[consumer][concurrent]") {
  TempDir dir;
  RedisServer redis(dir.sub("redis"));
  Node node(redis);
  {
    Admin admin(dir.sub("db"), redis.address());
    admin.CreateLinks({"a"});
    node.Send({Batch(1, {{"a", 1}}), Batch(2, {{"a", 2}})});
    REQUIRE(WaitUntil([&] { return admin.service->click_watermark(kNode) == 2; }));
  }
  // Sent while admin-api is down: wait in the stream. Batch 2 again is a
  // node resending what it had not yet seen covered.
  node.Send({Batch(2, {{"a", 2}}), Batch(3, {{"a", 4}})});

  Admin admin(dir.sub("db"), redis.address());
  CHECK(admin.service->click_watermark(kNode) == 2);
  REQUIRE(WaitUntil([&] { return admin.service->click_watermark(kNode) == 3; }));
  CHECK(admin.clicks("a") == 7);
  CHECK(WaitUntil([&] { return node.StreamLength() == 0; }));
}

TEST_CASE("click consumer: a Redis restart loses the group and the consumer makes it again",
          "[consumer][concurrent]") {
  TempDir dir;
  RedisServer redis(dir.sub("redis"));
  Admin admin(dir.sub("db"), redis.address());
  admin.CreateLinks({"a"});
  {
    Node node(redis);
    node.Send({Batch(1, {{"a", 1}})});
    REQUIRE(WaitUntil([&] { return admin.service->click_watermark(kNode) == 1; }));
  }
  redis.Kill();
  redis.Start();  // empty: no stream, no group
  Node node(redis);
  node.Send({Batch(2, {{"a", 2}})});
  REQUIRE(WaitUntil([&] { return admin.service->click_watermark(kNode) == 2; }));
  CHECK(admin.clicks("a") == 3);
}

TEST_CASE_METHOD(AdminAndNode,
                 "click consumer: a batch that waited over a second is applied at full speed, "
                 "then pacing resumes",
                 "[consumer]") {
  admin.CreateLinks({"a"});
  // Nothing to read yet: keeping up, so paced.
  REQUIRE(WaitUntil([&] { return admin.work_paced() == 1; }));
  CHECK(admin.catch_ups() == 0);

  node.SendAged(Batch(1, {{"a", 5}}), 5000);
  REQUIRE(WaitUntil([&] { return admin.applied() == 1; }));
  CHECK(admin.catch_ups() == 1);
  CHECK(admin.paced_commits() == 0);  // the writer was told before the batch reached it
  CHECK(admin.clicks("a") == 5);

  // Caught up (an empty read, or a fresh batch): paced again, the writer too.
  node.Send({Batch(2, {{"a", 1}})});
  REQUIRE(WaitUntil([&] { return admin.applied() == 2; }));
  CHECK(admin.work_paced() == 1);
  CHECK(admin.paced_commits() == 1);
  CHECK(admin.catch_ups() == 1);
  CHECK(admin.clicks("a") == 6);
}

}  // namespace shortlink::admin
