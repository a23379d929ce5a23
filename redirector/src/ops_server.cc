#include "ops_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include "common/thread_name.h"

namespace shortlink::redirector {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> Session(tcp::socket socket, const OpsHandler& handler) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::empty_body> parser;
    parser.header_limit(8 * 1024);
    stream.expires_after(std::chrono::seconds(30));
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (ec) co_return;
    auto& req = parser.get();
    std::string path(req.target().substr(0, req.target().find('?')));
    OpsReply reply = req.method() == http::verb::get || req.method() == http::verb::head
                         ? handler(path)
                         : OpsReply{405, "text/plain", "method not allowed\n"};
    http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version()};
    res.set(http::field::content_type, reply.content_type);
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(reply.body);
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
    if (wec || !res.keep_alive()) co_return;
  }
}

}  // namespace

struct OpsServer::Impl {
  OpsHandler handler;
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;

  asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kTuple);
      if (ec) co_return;
      asio::co_spawn(ioc, Session(std::move(socket), handler), asio::detached);
    }
  }
};

OpsServer::OpsServer(OpsHandler handler) : impl_(new Impl) { impl_->handler = std::move(handler); }

OpsServer::~OpsServer() { Stop(); }

Result<unsigned short> OpsServer::Start(const std::string& host, unsigned short port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return MakeError(ErrorCode::kInvalidArgument, "bad --ops-listen address '" + host + "'");
  tcp::endpoint endpoint(address, port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return MakeError(ErrorCode::kUnavailable,
                     "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  unsigned short bound = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->Accept(), asio::detached);
  impl_->thread = std::thread([this] {
    NameThisThread("ops-http");
    impl_->ioc.run();
  });
  return bound;
}

void OpsServer::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->ioc.stop();
  impl_->thread.join();
}

}  // namespace shortlink::redirector
