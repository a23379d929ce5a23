#include "edge/edge_server.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>

#include "common/thread_name.h"
#include "edge/worker.h"
#include "rules/password_verifier.h"

namespace shortlink::redirector {

EdgeServer::EdgeServer(const LinkTable* table, EdgeServerOptions options)
    : table_(table), options_(std::move(options)), responder_(options_.responder) {
  if (options_.threads < 1) options_.threads = 1;
  // Password checks are rare and heavy: half the workers' threads at most.
  verifier_ = std::make_unique<PasswordVerifier>(std::max(1, options_.threads / 2));
  for (int i = 0; i < options_.threads; ++i) {
    stats_.push_back(std::make_unique<WorkerStats>());
    clicks_.push_back(std::make_unique<ThreadClicks>());
  }
}

EdgeServer::~EdgeServer() { Stop(); }

namespace {

// A non-blocking listening socket bound to `endpoint`, shared with the
// other workers through SO_REUSEPORT (the kernel balances accepts); its
// port is written to `port`.
Result<int> OpenListener(const boost::asio::ip::tcp::endpoint& endpoint, unsigned short* port) {
  int fd = socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0 &&
            bind(fd, endpoint.data(), static_cast<socklen_t>(endpoint.size())) == 0 &&
            listen(fd, SOMAXCONN) == 0;
  sockaddr_storage bound{};
  socklen_t size = sizeof bound;
  ok = ok && getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &size) == 0;
  if (!ok) {
    int error = errno;
    if (fd >= 0) close(fd);
    return MakeError(ErrorCode::kUnavailable, strerror(error));
  }
  *port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                            : reinterpret_cast<sockaddr_in&>(bound).sin_port);
  return fd;
}

}  // namespace

Result<unsigned short> EdgeServer::Start() {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(options_.host, ec);
  if (ec)
    return MakeError(ErrorCode::kInvalidArgument, "bad listen address '" + options_.host + "'");
  auto tls_address = boost::asio::ip::make_address(options_.tls_host, ec);
  if (options_.tls && ec)
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad TLS listen address '" + options_.tls_host + "'");
  WorkerShared shared;
  shared.table = table_;
  shared.responder = &responder_;
  shared.verifier = verifier_.get();
  shared.open_connections = &open_connections_;
  shared.max_connections = options_.max_connections;
  shared.idle_timeout = options_.idle_timeout;
  shared.head_timeout = options_.head_timeout;
  shared.client_address = options_.client_address;
  shared.tls = options_.tls;
  shared.https = &options_.https;
  unsigned short port = options_.port, tls_port = options_.tls_port;
  for (int i = 0; i < options_.threads; ++i) {
    auto worker = std::make_unique<EdgeWorker>(shared, stats_[i].get(), clicks_[i].get(), i);
    auto listener = OpenListener(boost::asio::ip::tcp::endpoint(address, port), &port);
    if (!listener.ok()) {
      return MakeError(ErrorCode::kUnavailable, "cannot listen on " + options_.host + ":" +
                                                    std::to_string(port) + ": " +
                                                    listener.error().message);
    }
    int tls_fd = -1;
    if (options_.tls) {
      auto tls_listener =
          OpenListener(boost::asio::ip::tcp::endpoint(tls_address, tls_port), &tls_port);
      if (!tls_listener.ok()) {
        close(*listener);
        return MakeError(ErrorCode::kUnavailable, "cannot listen on " + options_.tls_host + ":" +
                                                      std::to_string(tls_port) + ": " +
                                                      tls_listener.error().message);
      }
      tls_fd = *tls_listener;
      tls_port_ = tls_port;
    }
    if (Status opened = worker->Open(*listener, tls_fd); !opened.ok()) return opened.error();
    workers_.push_back(std::move(worker));
  }
  for (auto& worker : workers_) {
    EdgeWorker* w = worker.get();
    threads_.emplace_back([w] {
      NameThisThread("edge-worker");
      RcuThreadScope rcu;  // this thread reads the LinkTable
      w->Run();
    });
  }
  return port;
}

void EdgeServer::Stop() {
  for (auto& worker : workers_) worker->RequestStop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  // Checks still running deliver to workers that no longer run: their
  // verdicts are dropped with the workers below.
  if (verifier_) verifier_->Stop();
  workers_.clear();  // closes what connections are left
}

}  // namespace shortlink::redirector
