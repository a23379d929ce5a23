// HttpServer: admin-api's listener. HTTPS by default (TLS 1.2 minimum with
// the cipher list our API documents, and TLS 1.3); plain HTTP only when the
// operator asks for it (development, or behind a TLS-terminating proxy).
//
// Each connection is a coroutine on a strand: read a request with bounded
// header (16 KiB -> 431) and body (1 MiB -> 413) sizes, hand it to the
// handler, write the reply, repeat while keep-alive holds. A plain HTTP
// request on a TLS port gets a 400 saying to use https, and nothing else.
//
// Thread safety: Run() blocks on `threads` threads; Stop() may be called
// from any thread (or a signal handler's asio callback).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "http_types.h"

namespace shortlink::admin {

using Handler = std::function<boost::asio::awaitable<Reply>(Request&, std::string_view remote)>;

struct TlsFiles {
  std::string cert_chain_pem;
  std::string private_key_pem;
};

// The TLS context admin-api serves with (see the header comment).
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsFiles& files);

class HttpServer {
 public:
  // `tls` null means plain HTTP.
  HttpServer(boost::asio::io_context& ioc, std::shared_ptr<boost::asio::ssl::context> tls,
             Handler handler);

  // Binds and listens; returns the bound port (useful with port 0).
  Result<unsigned short> Listen(const std::string& host, unsigned short port);
  void Stop();

 private:
  boost::asio::awaitable<void> Accept();

  boost::asio::io_context& ioc_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  Handler handler_;
  std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
};

}  // namespace shortlink::admin
