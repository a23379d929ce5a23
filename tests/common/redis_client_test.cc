// RedisConnection against a real redis-server on a free loopback port.
#include "common/redis_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"

namespace shortlink {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;
using testing::TempDir;
using Type = RedisReply::Type;

RedisConnection ConnectTo(const RedisServer& server, std::chrono::milliseconds io_timeout = 1s) {
  auto redis = RedisConnection::Connect({.host = "127.0.0.1",
                                         .port = server.port(),
                                         .connect_timeout = 1s,
                                         .io_timeout = io_timeout});
  REQUIRE(redis.ok());
  return std::move(redis).value();
}

}  // namespace

TEST_CASE("redis: a connect to a port nobody listens on fails as unavailable", "[redis]") {
  auto redis = RedisConnection::Connect({.host = "127.0.0.1", .port = testing::FreePort()});
  REQUIRE_FALSE(redis.ok());
  CHECK(redis.error().code == ErrorCode::kUnavailable);
  CHECK(redis.error().message.starts_with("cannot connect to redis"));
}

TEST_CASE("redis: commands take binary-safe arguments and give typed replies", "[redis]") {
  TempDir dir;
  RedisServer server(dir.sub("redis"));
  RedisConnection redis = ConnectTo(server);

  const std::string binary("\x00\x01\r\n$3\r\n\xff", 10);
  auto set = redis.Command({"SET", "key with spaces", binary});
  REQUIRE(set.ok());
  CHECK(set->type == Type::kStatus);
  CHECK(set->text == "OK");

  auto get = redis.Command({"GET", "key with spaces"});
  REQUIRE(get.ok());
  CHECK(get->type == Type::kString);
  CHECK(get->text == binary);

  auto missing = redis.Command({"GET", "no such key"});
  REQUIRE(missing.ok());
  CHECK(missing->type == Type::kNil);

  auto counted = redis.Command({"INCRBY", "counter", "41"});
  REQUIRE(counted.ok());
  CHECK(counted->type == Type::kInteger);
  CHECK(counted->integer == 41);

  REQUIRE(redis.Command({"RPUSH", "list", "a", "b", "c"}).ok());
  auto range = redis.Command({"LRANGE", "list", "0", "-1"});
  REQUIRE(range.ok());
  REQUIRE(range->type == Type::kArray);
  REQUIRE(range->elements.size() == 3);
  CHECK(range->elements[2].text == "c");
}

TEST_CASE("redis: an error reply is a reply, and the connection stays usable", "[redis]") {
  TempDir dir;
  RedisServer server(dir.sub("redis"));
  RedisConnection redis = ConnectTo(server);

  REQUIRE(redis.Command({"SET", "text", "x"}).ok());
  auto wrong = redis.Command({"LPUSH", "text", "y"});
  REQUIRE(wrong.ok());
  CHECK(wrong->is_error());
  CHECK(wrong->IsError("WRONGTYPE"));
  CHECK_FALSE(wrong->IsError("NOGROUP"));

  auto after = redis.Command({"PING"});
  REQUIRE(after.ok());
  CHECK(after->text == "PONG");
}

TEST_CASE("redis: pipelined commands are answered in order", "[redis]") {
  TempDir dir;
  RedisServer server(dir.sub("redis"));
  RedisConnection redis = ConnectTo(server);

  constexpr int kCommands = 500;
  for (int i = 0; i < kCommands; ++i) redis.Append({"RPUSH", "list", std::to_string(i)});
  REQUIRE(redis.Flush().ok());
  for (int i = 0; i < kCommands; ++i) {
    auto reply = redis.ReadReply();
    REQUIRE(reply.ok());
    REQUIRE(reply->integer == i + 1);  // the list's length after the i-th push
  }
  // More arguments than the client keeps inline.
  std::vector<std::string_view> many = {"RPUSH", "wide"};
  std::vector<std::string> values;
  for (int i = 0; i < 40; ++i) values.push_back(std::to_string(i));
  for (const auto& v : values) many.push_back(v);
  auto wide = redis.Command(many);
  REQUIRE(wide.ok());
  CHECK(wide->integer == 40);
}

TEST_CASE("redis: a reply that takes longer than io_timeout breaks the connection", "[redis]") {
  TempDir dir;
  RedisServer server(dir.sub("redis"));
  RedisConnection redis = ConnectTo(server, 200ms);

  auto started = std::chrono::steady_clock::now();
  auto blocked = redis.Command({"BLPOP", "empty", "5"});  // Redis would answer after 5 s
  auto took = std::chrono::steady_clock::now() - started;
  REQUIRE_FALSE(blocked.ok());
  CHECK(blocked.error().code == ErrorCode::kUnavailable);
  CHECK(took < 2s);
  CHECK_FALSE(redis.Command({"PING"}).ok());  // hiredis gives up on the context for good
}

TEST_CASE("redis: a killed server fails the next read", "[redis]") {
  TempDir dir;
  RedisServer server(dir.sub("redis"));
  RedisConnection redis = ConnectTo(server);
  REQUIRE(redis.Command({"PING"}).ok());
  server.Kill();
  auto reply = redis.Command({"PING"});
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().message.starts_with("redis connection lost"));
}

TEST_CASE("redis: WaitForReply hands out pub/sub messages, times out, and wakes", "[redis]") {
  TempDir dir;
  RedisServer server(dir.sub("redis"));
  RedisConnection subscriber = ConnectTo(server);
  subscriber.Append({"SUBSCRIBE", "channel"});
  REQUIRE(subscriber.Flush().ok());

  auto confirmed = subscriber.WaitForReply(1s);
  REQUIRE(confirmed.ok());
  REQUIRE(confirmed->has_value());
  CHECK((*confirmed)->elements.at(0).text == "subscribe");

  // Nothing published: nullopt once the timeout passes, not before.
  auto started = std::chrono::steady_clock::now();
  auto quiet = subscriber.WaitForReply(100ms);
  REQUIRE(quiet.ok());
  CHECK_FALSE(quiet->has_value());
  CHECK(std::chrono::steady_clock::now() - started >= 100ms);

  // Two messages published at once: both handed out, in order.
  REQUIRE(server.Publish("channel", "one") == 1);
  REQUIRE(server.Publish("channel", "two") == 1);
  for (const char* expected : {"one", "two"}) {
    auto message = subscriber.WaitForReply(1s);
    REQUIRE(message.ok());
    REQUIRE(message->has_value());
    REQUIRE((*message)->elements.size() == 3);
    CHECK((*message)->elements[2].text == expected);
  }

  // A readable wake fd ends the wait at once.
  int wake[2];
  REQUIRE(pipe2(wake, O_CLOEXEC) == 0);
  REQUIRE(write(wake[1], "x", 1) == 1);
  started = std::chrono::steady_clock::now();
  auto woken = subscriber.WaitForReply(5s, wake[0]);
  CHECK(std::chrono::steady_clock::now() - started < 1s);
  close(wake[0]);
  close(wake[1]);
  REQUIRE(woken.ok());
  CHECK_FALSE(woken->has_value());

  server.Kill();
  auto lost = subscriber.WaitForReply(1s);
  CHECK_FALSE(lost.ok());
}

}  // namespace shortlink
