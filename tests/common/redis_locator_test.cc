// RedisLocator: the flags (--redis, --redis-sentinel, --redis-master) and
// finding the primary through a real redis-server started as a sentinel.
#include "common/redis_locator.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/redis_server.h"
#include "support/temp_dir.h"

namespace shortlink {
namespace {

using namespace std::chrono_literals;

std::string ErrorOf(const std::string& redis, const std::string& sentinels,
                    const std::string& master) {
  auto locator = RedisLocator::FromFlags(redis, sentinels, master);
  return locator.ok() ? std::string() : locator.error().message;
}

TEST_CASE("a sentinel list of HOST:PORT items is parsed in order", "[redis]") {
  auto list = ParseSentinelList("10.0.0.1:26379, redis-s2:26380 ,[::1]:26381");
  REQUIRE(list.ok());
  REQUIRE(list->size() == 3);
  CHECK((*list)[0].host == "10.0.0.1");
  CHECK((*list)[0].port == 26379);
  CHECK((*list)[1].host == "redis-s2");
  CHECK((*list)[1].port == 26380);
  CHECK((*list)[2].host == "::1");
  CHECK((*list)[2].ToString() == "[::1]:26381");
}

TEST_CASE("bad sentinel lists are refused naming the item", "[redis]") {
  CHECK(ErrorOf("", "127.0.0.1", "m").find("'127.0.0.1' is not HOST:PORT") != std::string::npos);
  CHECK(ErrorOf("", "127.0.0.1:0", "m").find("'127.0.0.1:0'") != std::string::npos);
  CHECK(ErrorOf("", "127.0.0.1:65536", "m").find("'127.0.0.1:65536'") != std::string::npos);
  CHECK(ErrorOf("", "h:26379,,h2:26379", "m").find("empty item") != std::string::npos);
  CHECK(ErrorOf("", "h:26379,", "m").find("empty item") != std::string::npos);
  CHECK(ErrorOf("", ":26379", "m").find("':26379'") != std::string::npos);
  CHECK(ErrorOf("", "h:port", "m").find("'h:port'") != std::string::npos);
  CHECK(ErrorOf("", "h:1,h:1", "m").find("'h:1' twice") != std::string::npos);
  for (const char* bad : {"127.0.0.1", "h:26379,", "h:1,h:1"}) {
    CHECK(ErrorOf("", bad, "m").starts_with("--redis-sentinel: "));
  }
}

TEST_CASE("sentinels need a master name and a master name needs sentinels", "[redis]") {
  CHECK(ErrorOf("127.0.0.1:6379", "127.0.0.1:26379", "") ==
        "--redis-sentinel needs --redis-master (the name the sentinels monitor)");
  CHECK(ErrorOf("127.0.0.1:6379", "", "mymaster") == "--redis-master needs --redis-sentinel");
}

TEST_CASE("without sentinels the --redis address is the primary", "[redis]") {
  auto fixed = RedisLocator::FromFlags("127.0.0.1:6390", "", "");
  REQUIRE(fixed.ok());
  CHECK(fixed->enabled());
  CHECK_FALSE(fixed->uses_sentinels());
  CHECK(fixed->description() == "127.0.0.1:6390");
  CHECK(fixed->RetryCap(2000ms) == 2000ms);
  auto address = fixed->Resolve(100ms);
  REQUIRE(address.ok());
  CHECK(address->ToString() == "127.0.0.1:6390");

  auto none = RedisLocator::FromFlags("", "", "");
  REQUIRE(none.ok());
  CHECK_FALSE(none->enabled());
  CHECK(none->Check().ok());

  CHECK(ErrorOf("localhost", "", "").starts_with("--redis: "));
}

TEST_CASE("with sentinels --redis is ignored and retries are capped short", "[redis]") {
  auto located = RedisLocator::FromFlags("not an address", "127.0.0.1:1,127.0.0.1:2", "mymaster");
  REQUIRE(located.ok());
  CHECK(located->enabled());
  CHECK(located->uses_sentinels());
  CHECK(located->description() == "master mymaster via 127.0.0.1:1,127.0.0.1:2");
  CHECK(located->RetryCap(2000ms) == 500ms);
}

TEST_CASE("no sentinel answering is an error naming each", "[redis]") {
  unsigned short a = testing::FreePort(), b = testing::FreePort();
  auto located = RedisLocator::FromFlags(
      "", "127.0.0.1:" + std::to_string(a) + ",127.0.0.1:" + std::to_string(b), "mymaster");
  REQUIRE(located.ok());
  auto conn = located->Connect({.connect_timeout = 200ms, .io_timeout = 200ms});
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.error().code == ErrorCode::kUnavailable);
  CHECK(conn.error().message.find("sentinel 127.0.0.1:" + std::to_string(a)) != std::string::npos);
  CHECK(conn.error().message.find("sentinel 127.0.0.1:" + std::to_string(b)) != std::string::npos);
}

// A real sentinel (redis-server --sentinel) watching a real primary.
class Sentinel {
 public:
  Sentinel(const std::string& dir, unsigned short primary_port) {
    port_ = testing::FreePort();
    std::filesystem::create_directories(dir);
    std::string conf = dir + "/sentinel.conf";
    std::ofstream(conf) << "port " << port_ << "\nbind 127.0.0.1\n"
                        << "sentinel monitor mymaster 127.0.0.1 " << primary_port << " 1\n"
                        << "sentinel down-after-milliseconds mymaster 5000\n";
    pid_ = testing::Spawn({"redis-server", conf, "--sentinel", "--logfile", dir + "/sentinel.log"});
  }
  ~Sentinel() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  unsigned short port() const { return port_; }

 private:
  unsigned short port_;
  pid_t pid_;
};

TEST_CASE("the first sentinel that answers names the primary and ROLE confirms it", "[redis]") {
  testing::TempDir dir;
  testing::RedisServer primary(dir.sub("primary"));
  Sentinel sentinel(dir.sub("sentinel"), primary.port());
  unsigned short dead = testing::FreePort();  // listed first: skipped
  auto located = RedisLocator::FromFlags(
      "", "127.0.0.1:" + std::to_string(dead) + "," + sentinel.address(), "mymaster");
  REQUIRE(located.ok());
  REQUIRE(
      testing::WaitUntil([&] { return located->Resolve(200ms).ok(); }, std::chrono::seconds(10)));
  auto address = located->Resolve(200ms);
  REQUIRE(address.ok());
  CHECK(address->ToString() == primary.address());
  auto conn = located->Connect({.connect_timeout = 500ms, .io_timeout = 500ms});
  REQUIRE(conn.ok());
  auto pong = conn->Command({"PING"});
  REQUIRE(pong.ok());
  CHECK(pong->text == "PONG");

  // A name the sentinel does not monitor: no primary.
  auto unknown = RedisLocator::FromFlags("", sentinel.address(), "other");
  REQUIRE(unknown.ok());
  auto refused = unknown->Connect({.connect_timeout = 500ms, .io_timeout = 500ms});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("does not know master 'other'") != std::string::npos);
}

TEST_CASE("after a failover the move check and the next connect follow the promoted replica",
          "[redis]") {
  testing::TempDir dir;
  testing::RedisServer primary(dir.sub("primary"));
  testing::RedisServer replica(dir.sub("replica"));
  REQUIRE(replica.Query({"REPLICAOF", "127.0.0.1", std::to_string(primary.port())}) == "OK");
  REQUIRE(testing::WaitUntil([&] {
    auto info = replica.Query({"INFO", "replication"});
    return info.find("master_link_status:up") != std::string::npos;
  }));
  Sentinel sentinel(dir.sub("sentinel"), primary.port());
  auto located = RedisLocator::FromFlags("", sentinel.address(), "mymaster");
  REQUIRE(located.ok());
  REQUIRE(testing::WaitUntil([&] { return located->Resolve(200ms).ok(); }));
  RedisAddress first;
  auto conn = located->Connect({.connect_timeout = 500ms, .io_timeout = 500ms}, &first);
  REQUIRE(conn.ok());
  CHECK(first.ToString() == primary.address());
  PrimaryMoveCheck moved(*located, first, 50ms);
  std::this_thread::sleep_for(100ms);
  CHECK_FALSE(moved.Moved());

  // The sentinel must know the replica before it can promote it.
  auto sentinel_conn = RedisConnection::Connect({.host = "127.0.0.1",
                                                 .port = sentinel.port(),
                                                 .connect_timeout = 500ms,
                                                 .io_timeout = 500ms});
  REQUIRE(sentinel_conn.ok());
  REQUIRE(testing::WaitUntil(
      [&] {
        auto failover = sentinel_conn->Command({"SENTINEL", "FAILOVER", "mymaster"});
        return failover.ok() && failover->text == "OK";
      },
      std::chrono::seconds(20)));
  REQUIRE(testing::WaitUntil([&] { return moved.Moved(); }, std::chrono::seconds(20)));
  RedisAddress second;
  REQUIRE(testing::WaitUntil([&] {
    return located->Connect({.connect_timeout = 500ms, .io_timeout = 500ms}, &second).ok();
  }));
  CHECK(second.ToString() == replica.address());
  // A fixed address never moves.
  PrimaryMoveCheck fixed(RedisLocator(primary.address()), first, 0ms);
  CHECK_FALSE(fixed.Moved());
}

TEST_CASE("a READONLY reply is a demoted primary and other errors are not", "[redis]") {
  RedisReply readonly;
  readonly.type = RedisReply::Type::kError;
  readonly.text = "READONLY You can't write against a read only replica.";
  RedisReply other;
  other.type = RedisReply::Type::kError;
  other.text = "ERR wrong number of arguments";
  CHECK(IsDemoted(readonly));
  CHECK_FALSE(IsDemoted(other));
}

}  // namespace
}  // namespace shortlink
