// HttpServer: admin-api's listener. HTTPS by default (TLS 1.2 minimum with
// the cipher list our API documents, and TLS 1.3); plain HTTP only when the
// operator asks for it (development, or behind a TLS-terminating proxy).
//
// Each connection is a coroutine on a strand: read a request head with
// bounded sizes (request line 8 KiB -> 414, head 16 KiB -> 431), check what
// Beast lets through (CheckRequestHead), read the body (1 MiB -> 413), hand
// the request to the handler, write the reply, repeat while keep-alive
// holds. A refused request is answered with {"message": ...}, told to the
// RefusalObserver (so it is logged and counted like the others) and the
// connection closed. A plain HTTP request on a TLS port gets a 400 saying to
// use https, and nothing else.
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
#include <string_view>

#include "common/result.h"
#include "http/http_types.h"

namespace shortlink::admin {

using Handler = std::function<boost::asio::awaitable<Reply>(Request&, std::string_view remote)>;
// Told of each request the HTTP layer answers itself (413, 414, 431, 400),
// which the handler never sees: `head` as far as it was parsed (a 414 or 431
// may lack the target). Called on the connection's thread.
using RefusalObserver =
    std::function<void(const http::request_header<>& head, http::status, std::string_view remote)>;

struct TlsFiles {
  std::string cert_chain_pem;
  std::string private_key_pem;
};

inline constexpr size_t kRequestLineLimit = 8 * 1024;  // bytes, CRLF excluded: over it, 414
inline constexpr size_t kHeadLimit = 16 * 1024;        // bytes, request line included: 431

struct Refusal {
  http::status status;
  std::string_view message;
};

// Boost.Beast 1.81 parses what RFC 9112 tells a server to refuse: a
// Transfer-Encoding whose last coding is not chunked (the body length is
// then unknown: a smuggling vector behind a proxy that reads it otherwise),
// or that has chunked twice or with parameters, Transfer-Encoding in HTTP/1.0, HTTP/1.1 without
// exactly one Host, more than one Host, targets not in origin form (absolute-form, authority-form,
// '*'). It also has no request-line limit of its own. The refusal for
// `head` (`chunked`: the parser's verdict), or nullopt when it may proceed.
std::optional<Refusal> CheckRequestHead(const http::request_header<>& head, bool chunked);

// Beast 1.81 reports an over-long request line and over-long header fields
// as one error (header_limit). Tells which it was: 414 when the request line
// is over kRequestLineLimit, else 431. Beast parses the request line as soon
// as its CRLF arrives, and drops the bytes of the line and of each complete
// field from the buffer: so either `parsed` (the parser's message) has the
// line (its target is set), or `unparsed` (what is left in the buffer)
// starts with it.
http::status OversizedHeadStatus(const http::request_header<>& parsed, std::string_view unparsed);

// Beast 1.81 writes header values to the wire as they are, CR and LF
// included: a value holding them would split the response. True when no
// field name or value of `fields` holds CR, LF or NUL.
bool HeaderFieldsAreSafe(const http::fields& fields);

// The TLS context admin-api serves with (see the header comment).
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsFiles& files);

class HttpServer {
 public:
  // `tls` null means plain HTTP.
  HttpServer(boost::asio::io_context& ioc, std::shared_ptr<boost::asio::ssl::context> tls,
             Handler handler, RefusalObserver on_refused = {});

  // Binds and listens; returns the bound port (useful with port 0).
  Result<unsigned short> Listen(const std::string& host, unsigned short port);
  void Stop();

 private:
  boost::asio::awaitable<void> Accept();

  boost::asio::io_context& ioc_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  Handler handler_;
  RefusalObserver on_refused_;
  std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
};

}  // namespace shortlink::admin
