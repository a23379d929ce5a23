// RedisServer: a real redis-server for a test, without persistence, on a
// free loopback port, killed when the object dies. Tests talk to it through
// common/redis_client.h, as the programs do.
#pragma once

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/redis_client.h"
#include "support/process.h"
#include "support/wait_until.h"

namespace shortlink::testing {

class RedisServer {
 public:
  // FreePort's port is free when it answers, not always when redis-server
  // binds it: tests run in parallel, and another test's server may take it
  // first. Then ours exits and a PING would reach theirs, so the first start
  // checks whose server answers and tries another port.
  explicit RedisServer(std::string dir) : dir_(std::move(dir)) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = FreePort();
      if (TryStart()) return;
    }
    throw std::runtime_error("redis-server did not start");
  }
  ~RedisServer() { Kill(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts it again on the same port (after Kill).
  void Start() {
    if (!TryStart()) throw std::runtime_error("redis-server did not start again");
  }
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  // Stops it answering without closing its sockets (SIGSTOP), as a hung
  // Redis does; Resume undoes it.
  void Pause() { ::kill(pid_, SIGSTOP); }
  void Resume() { ::kill(pid_, SIGCONT); }

  bool Ping() const { return Query({"PING"}) == "PONG"; }
  // Whether this object's process is the one answering on the port.
  bool Answering() const {
    return Query({"INFO", "server"}).find("process_id:" + std::to_string(pid_) + "\r") !=
           std::string::npos;
  }
  // A new connection to it (1 s timeouts), or an error.
  Result<RedisConnection> Connect() const {
    return RedisConnection::Connect({.host = "127.0.0.1",
                                     .port = port_,
                                     .connect_timeout = std::chrono::milliseconds(1000),
                                     .io_timeout = std::chrono::milliseconds(1000)});
  }
  // One command on a connection of its own; the reply, or nil on any failure.
  RedisReply Command(std::initializer_list<std::string_view> argv) const {
    auto redis = Connect();
    if (!redis.ok()) return {};
    auto reply = redis->Command(argv);
    return reply.ok() ? std::move(reply).value() : RedisReply{};
  }
  // The text of a status or bulk-string reply ("" on any error).
  std::string Query(std::initializer_list<std::string_view> argv) const {
    RedisReply reply = Command(argv);
    return reply.is_text() ? reply.text : "";
  }
  // Returns the number of subscribers that received it, or -1.
  long long Publish(std::string_view channel, std::string_view message) const {
    RedisReply reply = Command({"PUBLISH", channel, message});
    return reply.type == RedisReply::Type::kInteger ? reply.integer : -1;
  }
  unsigned short port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  // Spawns redis-server on port_ and waits until it answers; false (and
  // nothing left running) when it exits or another process answers instead.
  bool TryStart() {
    std::filesystem::create_directories(dir_);
    pid_ = Spawn({"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save",
                  "", "--appendonly", "no", "--dir", dir_, "--logfile", dir_ + "/redis.log"});
    bool exited = false;
    WaitUntil([&] {
      int status = 0;
      exited = waitpid(pid_, &status, WNOHANG) == pid_;
      return exited || Ping();
    });
    if (exited) {
      pid_ = -1;
      return false;
    }
    if (Answering()) return true;
    Kill();
    return false;
  }

  std::string dir_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace shortlink::testing
