// Test support for the sync tests: temp dirs and a real redis-server on a
// free loopback port (from tests/support, shared by every test binary), and
// a fake admin-api that serves the node endpoints of
// docs/node-protocol.md (change log with compaction, streamed snapshot,
// node-token auth) and PUBLISHes what it commits, as the real one does.
#pragma once

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/change.h"
#include "common/link.h"
#include "common/protocol.h"
#include "support/process.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"
#include "sync/change_applier.h"

namespace shortlink::redirector::testing {

using ::shortlink::testing::FreePort;
using ::shortlink::testing::RedisServer;
using ::shortlink::testing::Spawn;
using ::shortlink::testing::TempDir;
using ::shortlink::testing::WaitUntil;

// A self-signed certificate (its own CA) for `names` (subjectAltName
// entries such as "DNS:localhost,IP:127.0.0.1"), written to dir/name.pem and
// dir/name.key.
inline void MakeCertificate(const std::string& dir, const std::string& name,
                            const std::string& names) {
  std::string cert = dir + "/" + name + ".pem", key = dir + "/" + name + ".key";
  pid_t pid = Spawn({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                     "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=" + name,
                     "-addext", "subjectAltName=" + names, "-keyout", key, "-out", cert},
                    environ, /*quiet=*/true);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("openssl req failed");
}

// A LinkSink over a map, readable from the test thread while the applier
// thread writes.
class MapSink : public LinkSink {
 public:
  // Keyed "code" on the default domain, "domain/code" on another.
  void Upsert(LinkKey key, std::string_view long_url, LinkState state) override {
    std::lock_guard<std::mutex> lock(mu_);
    links_[Name(key)] = {std::string(long_url), state};
  }
  void Erase(LinkKey key) override {
    std::lock_guard<std::mutex> lock(mu_);
    links_.erase(Name(key));
  }
  static std::string Name(LinkKey key) {
    return key.domain.empty() ? std::string(key.code)
                              : std::string(key.domain) + "/" + std::string(key.code);
  }
  // The URL served for `code`, "" when absent; INACTIVE links read "inactive:URL".
  std::string Get(const std::string& code) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = links_.find(code);
    if (it == links_.end()) return "";
    return (it->second.second == LinkState::kInactive ? "inactive:" : "") + it->second.first;
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return links_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::pair<std::string, LinkState>> links_;
};

inline Link MakeLink(const std::string& code, const std::string& url,
                     LinkState state = LinkState::kActive) {
  Link link;
  link.code = code;
  link.long_url = url;
  link.state = state;
  link.owner = 7;
  link.created_at_ms = 1700000000000;
  link.updated_at_ms = 1700000000000;
  return link;
}

inline std::string Encode(const Change& change) {
  std::string out;
  EncodeChange(change, &out);
  return out;
}

// A change as a node receives it: encoded as admin-api sends it, decoded.
inline ReceivedChange Received(uint64_t seq, ChangeOp op, const Link& link) {
  auto change = ReceivedChange::Decode(Encode(Change{seq, op, link}));
  REQUIRE(change.ok());
  return std::move(change).value();
}

// admin-api's node endpoints over plain HTTP, one thread per connection.
class FakeAdmin {
 public:
  // With `cert` and `key` (PEM files) it serves HTTPS.
  explicit FakeAdmin(std::string token, const RedisServer* redis = nullptr,
                     const std::string& cert = "", const std::string& key = "")
      : token_(std::move(token)),
        redis_(redis),
        tls_(!cert.empty()),
        acceptor_(ioc_,
                  boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    if (tls_) {
      ssl_ctx_.use_certificate_chain_file(cert);
      ssl_ctx_.use_private_key_file(key, boost::asio::ssl::context::pem);
    }
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~FakeAdmin() {
    stopping_ = true;
    boost::system::error_code ec;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes the blocking accept (Linux)
    accept_thread_.join();
    acceptor_.close(ec);
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& s : sockets_) ::shutdown(s->native_handle(), SHUT_RDWR);
    }
    for (auto& t : connection_threads_) t.join();  // no new ones: the acceptor is closed
  }

  std::string url(const std::string& host = "127.0.0.1") const {
    return (tls_ ? "https://" : "http://") + host + ":" + std::to_string(port_);
  }

  // Commits a change (log + state) and publishes it unless told not to.
  uint64_t Upsert(const Link& link, bool publish = true) {
    return Commit(ChangeOp::kUpsert, link, publish);
  }
  uint64_t Delete(const std::string& code, bool publish = true) {
    Link link;
    {
      std::lock_guard<std::mutex> lock(mu_);
      link = state_.at(code);
    }
    return Commit(ChangeOp::kDelete, link, publish);
  }
  // The log forgets every change with seq < first_kept.
  void Compact(uint64_t first_kept) {
    std::lock_guard<std::mutex> lock(mu_);
    first_kept_ = first_kept;
  }
  void SetFailing(bool failing) { failing_ = failing; }
  // Snapshot responses stop after this many records (then the connection closes).
  void SetSnapshotCutAfter(int records) { snapshot_cut_after_ = records; }
  uint64_t head() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_.size();
  }
  int snapshot_requests() const { return snapshot_requests_; }
  int changes_requests() const { return changes_requests_; }
  int connections() const { return connections_; }

 private:
  uint64_t Commit(ChangeOp op, const Link& link, bool publish) {
    std::string encoded;
    uint64_t seq;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seq = log_.size() + 1;
      encoded = Encode(Change{seq, op, link});
      log_.push_back(encoded);
      if (op == ChangeOp::kUpsert) {
        state_[link.code] = link;
      } else {
        state_.erase(link.code);
      }
    }
    if (publish && redis_ != nullptr) redis_->Publish(kChangesChannel, encoded);
    return seq;
  }

  void AcceptLoop() {
    while (!stopping_) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      ++connections_;
      auto s = std::make_shared<boost::asio::ip::tcp::socket>(std::move(socket));
      std::lock_guard<std::mutex> lock(mu_);
      sockets_.push_back(s);  // closed only when the fake dies: no fd reuse races
      connection_threads_.emplace_back([this, s] { Serve(*s); });
    }
  }

  void Serve(boost::asio::ip::tcp::socket& tcp) {
    if (!tls_) {
      ServeHttp(tcp);
      return;
    }
    boost::beast::ssl_stream<boost::asio::ip::tcp::socket&> tls(tcp, ssl_ctx_);
    boost::system::error_code ec;
    tls.handshake(boost::asio::ssl::stream_base::server, ec);
    if (!ec) ServeHttp(tls);
    tcp.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  }

  template <typename Stream>
  void ServeHttp(Stream& socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::empty_body> req;
      boost::system::error_code ec;
      http::read(socket, buffer, req, ec);
      if (ec) return;
      std::string target(req.target());
      http::response<http::string_body> res{http::status::ok, 11};
      res.keep_alive(req.keep_alive());
      if (failing_) {
        res.result(http::status::service_unavailable);
      } else if (req[http::field::authorization] != "Bearer " + token_) {
        res.result(http::status::unauthorized);
      } else if (target.starts_with("/internal/v1/changes?")) {
        ++changes_requests_;
        uint64_t after = std::stoull(Param(target, "after"));
        uint64_t limit = std::stoull(Param(target, "limit"));
        std::lock_guard<std::mutex> lock(mu_);
        if (after + 1 < first_kept_) {
          res.result(http::status::gone);
          res.body() = R"({"message":"compacted"})";
        } else {
          res.set(http::field::content_type, "application/octet-stream");
          res.set("X-Head-Seq", std::to_string(log_.size()));
          for (uint64_t seq = after + 1; seq <= log_.size() && seq <= after + limit; ++seq) {
            AppendFrame(log_[seq - 1], &res.body());
          }
        }
      } else if (target == "/internal/v1/snapshot" ||
                 target.starts_with("/internal/v1/snapshot?")) {
        // (A node asks ?domains=1; like an admin-api before domains, this
        // one ignores it and sends links only.)
        ++snapshot_requests_;
        std::string body;
        int cut = snapshot_cut_after_;
        int n = 0;
        {
          std::lock_guard<std::mutex> lock(mu_);
          res.set("X-Snapshot-Seq", std::to_string(log_.size()));
          for (const auto& [code, link] : state_) {
            if (cut >= 0 && n++ == cut) break;
            std::string record;
            EncodeLink(link, &record);
            AppendFrame(record, &body);
          }
        }
        res.set(http::field::content_type, "application/octet-stream");
        if (cut >= 0) {
          // A transfer cut short: announce more than is sent, then close.
          std::string head =
              "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
              "X-Snapshot-Seq: " +
              std::string(res["X-Snapshot-Seq"]) +
              "\r\nContent-Length: " + std::to_string(body.size() + 1000) + "\r\n\r\n";
          boost::asio::write(socket, boost::asio::buffer(head + body), ec);
          boost::beast::get_lowest_layer(socket).shutdown(
              boost::asio::ip::tcp::socket::shutdown_both, ec);
          return;
        }
        res.body() = std::move(body);
        res.chunked(true);
      } else {
        res.result(http::status::not_found);
      }
      if (!res.chunked()) res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || !req.keep_alive()) {
        boost::beast::get_lowest_layer(socket).shutdown(boost::asio::ip::tcp::socket::shutdown_both,
                                                        ec);
        return;
      }
    }
  }

  static std::string Param(const std::string& target, const std::string& name) {
    size_t at = target.find(name + "=");
    if (at == std::string::npos) return "0";
    at += name.size() + 1;
    return target.substr(at, target.find('&', at) - at);
  }

  const std::string token_;
  const RedisServer* redis_;
  const bool tls_;
  boost::asio::ssl::context ssl_ctx_{boost::asio::ssl::context::tls_server};
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> failing_{false};
  std::atomic<int> snapshot_cut_after_{-1};
  std::atomic<int> snapshot_requests_{0};
  std::atomic<int> changes_requests_{0};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<std::string> log_;       // GUARDED_BY(mu_): log_[seq - 1]
  uint64_t first_kept_ = 1;            // GUARDED_BY(mu_)
  std::map<std::string, Link> state_;  // GUARDED_BY(mu_)
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;  // GUARDED_BY(mu_)
  std::vector<std::thread> connection_threads_;                         // GUARDED_BY(mu_)
  std::thread accept_thread_;
};

}  // namespace shortlink::redirector::testing
