// The stream calls of the click path against a real redis-server.
#include "common/redis_stream.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "common/clock.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"

namespace shortlink {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;
using testing::TempDir;

constexpr char kStream[] = "test:stream";
constexpr char kGroup[] = "group";

RedisConnection ConnectTo(const RedisServer& server) {
  auto redis = server.Connect();
  REQUIRE(redis.ok());
  return std::move(redis).value();
}

// XADDs `values`, pipelined, as the click flusher does; returns the ids.
std::vector<std::string> Add(RedisConnection& redis, const std::vector<std::string>& values) {
  for (const auto& v : values) AppendXAdd(redis, kStream, 1000, "batch", v);
  std::vector<std::string> ids;
  for (size_t i = 0; i < values.size(); ++i) {
    auto reply = redis.ReadReply();
    REQUIRE(reply.ok());
    REQUIRE(reply->type == RedisReply::Type::kString);
    ids.push_back(reply->text);
  }
  return ids;
}

ReadGroupRequest Read(bool pending) {
  return {.stream = kStream,
          .group = kGroup,
          .consumer = "consumer",
          .count = 100,
          .block = 50ms,
          .pending = pending};
}

}  // namespace

TEST_CASE("redis streams: entries are read once, re-read while unacknowledged, then gone",
          "[redis]") {
  TempDir dir;
  RedisServer server(dir.sub("redis"));
  RedisConnection redis = ConnectTo(server);

  // Written before the group exists: the group still reads them (from 0).
  std::string binary("\x00\xff\r\n", 4);
  std::vector<std::string> ids = Add(redis, {"first", binary});
  REQUIRE(EnsureConsumerGroup(redis, kStream, kGroup).ok());
  REQUIRE(EnsureConsumerGroup(redis, kStream, kGroup).ok());  // BUSYGROUP is success

  auto read = ReadGroup(redis, Read(false));
  REQUIRE(read.ok());
  CHECK(read->refused.empty());
  REQUIRE(read->entries.size() == 2);
  CHECK(read->entries[0].id == ids[0]);
  REQUIRE(read->entries[1].Field("batch") != nullptr);
  CHECK(*read->entries[1].Field("batch") == binary);
  CHECK(read->entries[1].Field("other") == nullptr);

  auto nothing_new = ReadGroup(redis, Read(false));
  REQUIRE(nothing_new.ok());
  CHECK(nothing_new->entries.empty());

  // Not acknowledged: still pending for this consumer.
  auto pending = ReadGroup(redis, Read(true));
  REQUIRE(pending.ok());
  CHECK(pending->entries.size() == 2);

  REQUIRE(AcknowledgeAndDelete(redis, kStream, kGroup, ids).ok());
  auto after = ReadGroup(redis, Read(true));
  REQUIRE(after.ok());
  CHECK(after->entries.empty());
  auto length = redis.Command({"XLEN", kStream});
  REQUIRE(length.ok());
  CHECK(length->integer == 0);
}

TEST_CASE("redis streams: an entry tells when Redis added it, by its id") {
  CHECK(StreamEntry{"1733500000123-0", {}}.AddedMillis() == 1733500000123);
  CHECK(StreamEntry{"7-42", {}}.AddedMillis() == 7);
  CHECK(StreamEntry{"", {}}.AddedMillis() == 0);
  CHECK(StreamEntry{"1733500000123", {}}.AddedMillis() == 0);  // not an id Redis gives
  CHECK(StreamEntry{"-5", {}}.AddedMillis() == 0);
  CHECK(StreamEntry{"x-1", {}}.AddedMillis() == 0);
}

TEST_CASE("redis streams: a read entry's time is Redis's clock when it was added", "[redis]") {
  TempDir dir;
  RedisServer server(dir.sub("redis"));
  RedisConnection redis = ConnectTo(server);
  const int64_t before = NowMillis();
  Add(redis, {"one"});
  const int64_t after = NowMillis();
  REQUIRE(EnsureConsumerGroup(redis, kStream, kGroup).ok());
  auto read = ReadGroup(redis, Read(false));
  REQUIRE(read.ok());
  REQUIRE(read->entries.size() == 1);
  // The same machine's clock: within the call, give or take a millisecond.
  CHECK(read->entries[0].AddedMillis() >= before - 1);
  CHECK(read->entries[0].AddedMillis() <= after + 1);
}

TEST_CASE("redis streams: a pending entry deleted meanwhile comes back without fields", "[redis]") {
  TempDir dir;
  RedisServer server(dir.sub("redis"));
  RedisConnection redis = ConnectTo(server);
  REQUIRE(EnsureConsumerGroup(redis, kStream, kGroup).ok());
  std::vector<std::string> ids = Add(redis, {"kept", "deleted"});
  REQUIRE(ReadGroup(redis, Read(false)).ok());
  REQUIRE(redis.Command({"XDEL", kStream, ids[1]}).ok());

  auto pending = ReadGroup(redis, Read(true));
  REQUIRE(pending.ok());
  REQUIRE(pending->entries.size() == 2);
  CHECK(pending->entries[0].Field("batch") != nullptr);
  CHECK(pending->entries[1].id == ids[1]);
  CHECK(pending->entries[1].fields.empty());
}

TEST_CASE("redis streams: a missing group is Redis's refusal, not a broken connection", "[redis]") {
  TempDir dir;
  RedisServer server(dir.sub("redis"));
  RedisConnection redis = ConnectTo(server);
  REQUIRE(EnsureConsumerGroup(redis, kStream, kGroup).ok());
  REQUIRE(redis.Command({"DEL", kStream}).ok());  // what a Redis restart does

  auto read = ReadGroup(redis, Read(false));
  REQUIRE(read.ok());
  CHECK(read->refused.starts_with("NOGROUP"));
  CHECK(read->entries.empty());

  // A key of another type: creating the group is refused, with Redis's reason.
  REQUIRE(redis.Command({"SET", kStream, "not a stream"}).ok());
  Status created = EnsureConsumerGroup(redis, kStream, kGroup);
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().message.find("XGROUP") != std::string::npos);
}

TEST_CASE("redis streams: XADD keeps the stream near its bound", "[redis]") {
  TempDir dir;
  RedisServer server(dir.sub("redis"));
  RedisConnection redis = ConnectTo(server);
  for (int i = 0; i < 3000; ++i) AppendXAdd(redis, kStream, 1000, "batch", std::to_string(i));
  for (int i = 0; i < 3000; ++i) REQUIRE(redis.ReadReply().ok());
  auto length = redis.Command({"XLEN", kStream});
  REQUIRE(length.ok());
  CHECK(length->integer >= 1000);
  CHECK(length->integer < 2000);  // "~": trimmed by whole nodes, not exactly
}

}  // namespace shortlink
