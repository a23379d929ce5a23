#include "server/http_server.h"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <vector>

#include "common/log.h"
#include "common/tls_policy.h"

namespace shortlink::admin {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

constexpr size_t kBodyLimit = 1 << 20;  // bytes: 1 MiB
constexpr auto kReadTimeout = 30s;
constexpr auto kWriteTimeout = 60s;  // a snapshot chunk on a slow link
constexpr auto kDrainTimeout = 5s;   // how long an over-limit body is read and dropped
constexpr auto kAcceptRetryPause = 50ms;

template <class Stream>
asio::awaitable<bool> WriteReply(Stream& stream, Reply& reply) {
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(kWriteTimeout);
  // Beast would write a CR or LF inside a header value as it is, splitting
  // the response. No header we set carries request bytes today; this keeps
  // it so for any added later: a 500, never a split response.
  if (!HeaderFieldsAreSafe(reply.response.base())) {
    LogError("refused to send a header holding CR, LF or NUL",
             {{"status", std::to_string(reply.response.result_int())}});
    reply.chunks = nullptr;
    reply.response = JsonError(http::status::internal_server_error, "Internal server error",
                               reply.response.version(), false);
  }
  if (!reply.chunks) {
    auto [ec, n] = co_await http::async_write(stream, reply.response, kTuple);
    co_return !ec;
  }
  http::response<http::empty_body> head{reply.response.result(), reply.response.version()};
  for (const auto& field : reply.response.base()) head.set(field.name_string(), field.value());
  head.chunked(true);
  http::response_serializer<http::empty_body> serializer{head};
  auto [ec, n] = co_await http::async_write_header(stream, serializer, kTuple);
  if (ec) co_return false;
  std::string chunk;
  for (;;) {
    chunk.clear();
    auto more = reply.chunks(&chunk);
    if (!more.ok()) co_return false;  // close mid-stream: the client sees truncation
    if (!chunk.empty()) {
      lowest.expires_after(kWriteTimeout);
      auto [wec, wn] =
          co_await asio::async_write(stream, http::make_chunk(asio::buffer(chunk)), kTuple);
      if (wec) co_return false;
    }
    if (!more.value()) break;
  }
  auto [lec, ln] = co_await asio::async_write(stream, http::make_chunk_last(), kTuple);
  co_return !lec && reply.response.keep_alive();
}

template <class Stream>
asio::awaitable<void> DrainInput(Stream& stream) {
  constexpr size_t kMaxDrainBytes = 64 << 20;
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(kDrainTimeout);
  std::array<char, 16 * 1024> scratch;
  for (size_t drained = 0; drained < kMaxDrainBytes;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kTuple);
    if (ec) break;
    drained += n;
  }
}

template <class Stream>
asio::awaitable<void> ServeRequests(Stream& stream, beast::flat_buffer& buffer,
                                    const Handler& handler, const RefusalObserver& on_refused,
                                    const std::string& remote) {
  auto& lowest = beast::get_lowest_layer(stream);
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeadLimit);
    parser.body_limit(kBodyLimit);
    lowest.expires_after(kReadTimeout);
    // The head first, checked before any body byte is read; then the body.
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    std::optional<Refusal> refusal;
    if (!ec) refusal = CheckRequestHead(parser.get(), parser.chunked());
    if (!ec && !refusal) {
      auto [body_ec, body_n] = co_await http::async_read(stream, buffer, parser, kTuple);
      ec = body_ec;
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout)
      co_return;
    if (ec || refusal) {
      // Answer what we can name, then close: the rest of the stream is unreadable.
      Response res;
      if (refusal) {
        res = JsonError(refusal->status, refusal->message, 11, false);
      } else if (ec == http::error::body_limit) {
        res = JsonError(http::status::payload_too_large, "Request body is larger than 1 MiB.", 11,
                        false);
      } else if (ec == http::error::header_limit) {
        auto data = buffer.data();
        http::status status = OversizedHeadStatus(
            parser.get(), std::string_view(static_cast<const char*>(data.data()), data.size()));
        res = status == http::status::uri_too_long
                  ? JsonError(status, "Request line is longer than 8 KiB.", 11, false)
                  : JsonError(status, "Request headers are larger than 16 KiB.", 11, false);
      } else if (parser.got_some()) {
        res = JsonError(http::status::bad_request, "Malformed HTTP request.", 11, false);
      } else {
        co_return;
      }
      if (on_refused) on_refused(parser.get(), res.result(), remote);
      lowest.expires_after(kWriteTimeout);
      co_await http::async_write(stream, res, kTuple);
      // Most clients send the whole body before reading the answer: read and
      // drop what they still send (bounded), so they see the 413 instead of
      // a reset connection.
      co_await DrainInput(stream);
      co_return;
    }
    Request req = parser.release();
    Reply reply = co_await handler(req, remote);
    bool keep_alive = co_await WriteReply(stream, reply);
    if (!keep_alive || !reply.response.keep_alive()) co_return;
  }
}

asio::awaitable<void> Session(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls,
                              Handler handler, RefusalObserver on_refused) {
  beast::tcp_stream stream(std::move(socket));
  std::string remote;
  {
    beast::error_code ec;
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  beast::flat_buffer buffer;
  if (!tls) {
    co_await ServeRequests(stream, buffer, handler, on_refused, remote);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_return;
  }
  stream.expires_after(kReadTimeout);
  auto [dec, is_tls] = co_await beast::async_detect_ssl(stream, buffer, kTuple);
  if (dec) co_return;
  if (!is_tls) {
    Response res =
        JsonError(http::status::bad_request, "This API is served over HTTPS only.", 11, false);
    co_await http::async_write(stream, res, kTuple);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(stream), *tls);
  tls_stream.next_layer().expires_after(kReadTimeout);
  auto [hec, used] =
      co_await tls_stream.async_handshake(asio::ssl::stream_base::server, buffer.data(), kTuple);
  if (hec) co_return;
  buffer.consume(used);
  co_await ServeRequests(tls_stream, buffer, handler, on_refused, remote);
  tls_stream.next_layer().expires_after(5s);
  co_await tls_stream.async_shutdown(kTuple);
}

// method SP target SP HTTP/x.y, without the CRLF.
size_t RequestLineLength(const http::request_header<>& head) {
  return head.method_string().size() + 1 + head.target().size() + 1 + 8;
}

// RFC 9112 6.1: chunked must be the last transfer coding, and appear once.
// Beast reads "chunked;x=1" as chunked (the coding takes no parameters) and
// does not look at codings before the last: stricter here, so no proxy in
// front can frame the body otherwise than we do.
bool EndsInChunked(const http::request_header<>& head) {
  std::vector<std::string_view> codings;
  auto [first, last] = head.equal_range(http::field::transfer_encoding);
  for (auto it = first; it != last; ++it) {
    std::string_view list = it->value();
    for (;;) {
      size_t comma = std::min(list.find(','), list.size());
      std::string_view coding = list.substr(0, comma);
      while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t'))
        coding.remove_prefix(1);
      while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t'))
        coding.remove_suffix(1);
      if (!coding.empty()) codings.push_back(coding);  // a list may hold empty elements
      if (comma == list.size()) break;
      list.remove_prefix(comma + 1);
    }
  }
  auto is_chunked = [](std::string_view c) { return beast::iequals(c, "chunked"); };
  return !codings.empty() && is_chunked(codings.back()) &&
         std::count_if(codings.begin(), codings.end(), is_chunked) == 1;
}

}  // namespace

std::optional<Refusal> CheckRequestHead(const http::request_header<>& head, bool chunked) {
  if (RequestLineLength(head) > kRequestLineLimit)
    return Refusal{http::status::uri_too_long, "Request line is longer than 8 KiB."};
  // Beast drops each field it parses from its buffer and applies its limit
  // to what is left: fed in pieces, a head of up to twice the limit gets
  // through. Counted here on what it parsed (values without their outer
  // whitespace), so 431 does not depend on how the bytes arrived.
  size_t head_bytes = RequestLineLength(head) + 2 + 2;  // CRLF after the line, blank line
  for (const auto& field : head)
    head_bytes += field.name_string().size() + 2 + field.value().size() + 2;
  if (head_bytes > kHeadLimit)
    return Refusal{http::status::request_header_fields_too_large,
                   "Request headers are larger than 16 KiB."};
  // Routes are paths: an absolute-form target ("https://host/path") would
  // name a host other than Host says, "*" and authority-form name none.
  if (head.target().empty() || head.target().front() != '/')
    return Refusal{http::status::bad_request, "Request target must be a path starting with /."};
  size_t hosts = head.count(http::field::host);
  if (hosts > 1 || (hosts == 0 && head.version() == 11))
    return Refusal{http::status::bad_request, "Host must be sent once (and HTTP/1.1 requires it)."};
  if (head.count(http::field::transfer_encoding) > 0 &&
      (head.version() == 10 || !chunked || !EndsInChunked(head))) {
    return Refusal{http::status::bad_request,
                   "Transfer-Encoding must end in chunked (and is not allowed in HTTP/1.0)."};
  }
  return std::nullopt;
}

http::status OversizedHeadStatus(const http::request_header<>& parsed, std::string_view unparsed) {
  size_t line = 0;
  if (!parsed.target().empty()) {
    line = RequestLineLength(parsed);
  } else {
    line = std::min(unparsed.find('\n'), unparsed.size());
    if (line > 0 && line < unparsed.size() && unparsed[line - 1] == '\r') --line;
  }
  return line > kRequestLineLimit ? http::status::uri_too_long
                                  : http::status::request_header_fields_too_large;
}

bool HeaderFieldsAreSafe(const http::fields& fields) {
  auto safe = [](std::string_view text) {
    return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
  };
  for (const auto& field : fields) {
    if (!safe(field.name_string()) || !safe(field.value())) return false;
  }
  return true;
}

Result<std::shared_ptr<asio::ssl::context>> MakeServerTlsContext(const TlsFiles& files) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  if (SSL_CTX_set_cipher_list(ctx->native_handle(), kTls12Ciphers) != 1) {
    return MakeError(ErrorCode::kInternal, "OpenSSL refused the TLS 1.2 cipher list");
  }
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(files.cert_chain_pem, ec);
  if (ec)
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot load --tls-cert " + files.cert_chain_pem + ": " + ec.message());
  ctx->use_private_key_file(files.private_key_pem, asio::ssl::context::pem, ec);
  if (ec)
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot load --tls-key " + files.private_key_pem + ": " + ec.message());
  return ctx;
}

HttpServer::HttpServer(asio::io_context& ioc, std::shared_ptr<asio::ssl::context> tls,
                       Handler handler, RefusalObserver on_refused)
    : ioc_(ioc),
      tls_(std::move(tls)),
      handler_(std::move(handler)),
      on_refused_(std::move(on_refused)) {}

Result<unsigned short> HttpServer::Listen(const std::string& host, unsigned short port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return MakeError(ErrorCode::kInvalidArgument, "bad listen address '" + host + "'");
  tcp::endpoint endpoint(address, port);
  acceptor_.emplace(ioc_);
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return MakeError(ErrorCode::kUnavailable,
                     "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  asio::co_spawn(ioc_, Accept(), asio::detached);
  return acceptor_->local_endpoint().port();
}

void HttpServer::Stop() {
  asio::post(ioc_, [this] {
    boost::system::error_code ec;
    if (acceptor_) acceptor_->close(ec);
  });
}

asio::awaitable<void> HttpServer::Accept() {
  uint64_t failed_in_a_row = 0;
  for (;;) {
    auto [ec, socket] = co_await acceptor_->async_accept(asio::make_strand(ioc_), kTuple);
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
    if (ec) {
      // Out of descriptors (EMFILE, ENFILE) or buffers, accept fails again
      // at once while the connection waits in the backlog: without a pause
      // this loop spun a core and wrote ~100,000 log lines a second until
      // descriptors freed up (found by tests/e2e/test_hostile.py). The log
      // gets the first failure of a run and every 100th.
      if (++failed_in_a_row % 100 == 1) {
        LogWarn("accept failed",
                {{"error", ec.message()}, {"failed_in_a_row", std::to_string(failed_in_a_row)}});
      }
      asio::steady_timer pause(acceptor_->get_executor(), kAcceptRetryPause);
      co_await pause.async_wait(kTuple);
      continue;
    }
    failed_in_a_row = 0;
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Session(std::move(socket), tls_, handler_, on_refused_),
                   asio::detached);
  }
}

}  // namespace shortlink::admin
