#include "webhooks/http_sender.h"

#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <optional>

#include "webhooks/address_policy.h"

namespace shortlink::admin::webhooks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr size_t kMaxResponseBody = 64 * 1024;  // bytes; read and dropped

struct Target {
  bool https = true;
  std::string host;  // a name, or an address without brackets
  std::string port;
  std::string host_header;
  std::string path;  // path and query
};

std::optional<Target> ParseTarget(const std::string& url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || u->host().empty()) return std::nullopt;
  Target t;
  t.https = u->scheme() == "https";
  if (!t.https && u->scheme() != "http") return std::nullopt;
  switch (u->host_type()) {
    case boost::urls::host_type::ipv4:
      t.host = u->host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      t.host = u->host_ipv6_address().to_string();
      break;
    case boost::urls::host_type::name:
      t.host = u->host_name();
      break;
    default:
      return std::nullopt;
  }
  t.port = u->has_port() ? std::string(u->port()) : t.https ? "443" : "80";
  t.host_header = std::string(u->encoded_host_and_port());
  t.path = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
  if (u->has_query()) t.path += "?" + std::string(u->encoded_query());
  return t;
}

// The addresses `t` names, resolved within `timeout`.
asio::awaitable<std::vector<tcp::endpoint>> Resolve(const Target& t,
                                                    std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  asio::steady_timer timer(executor, timeout);
  timer.async_wait([&resolver](boost::system::error_code ec) {
    if (!ec) resolver.cancel();
  });
  auto results = co_await resolver.async_resolve(t.host, t.port, asio::use_awaitable);
  timer.cancel();
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  co_return endpoints;
}

template <class Stream>
asio::awaitable<SendOutcome> Exchange(
    Stream& stream, const Target& t,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
  http::request<http::string_body> req{http::verb::post, t.path, 11};
  req.set(http::field::host, t.host_header);
  req.set(http::field::user_agent, "shortlink-webhooks/1");
  req.set(http::field::content_type, "application/json");
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  co_await http::async_write(stream, req, asio::use_awaitable);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  boost::system::error_code ec;
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  // A body past the cap still has its status: the receiver answered.
  if (ec && !(parser.is_header_done() && ec == http::error::body_limit))
    throw boost::system::system_error(ec);
  SendOutcome outcome;
  outcome.status = static_cast<int>(parser.get().result_int());
  if (!outcome.delivered()) outcome.error = "HTTP " + std::to_string(outcome.status);
  co_return outcome;
}

std::string Describe(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted) return "timed out";
  return ec.message();
}

}  // namespace

asio::ssl::context MakeWebhookTlsContext() {
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_default_verify_paths();
  ctx.set_verify_mode(asio::ssl::verify_peer);
  ctx.set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                  asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  return ctx;
}

asio::awaitable<SendOutcome> PostWebhook(asio::ssl::context& tls, std::string url,
                                         std::vector<std::pair<std::string, std::string>> headers,
                                         std::string body, SendLimits limits) {
  std::optional<Target> target = ParseTarget(url);
  if (!target) co_return SendOutcome{0, "invalid URL"};
  const auto deadline = std::chrono::steady_clock::now() + limits.total;
  auto executor = co_await asio::this_coro::executor;
  try {
    std::vector<tcp::endpoint> resolved = co_await Resolve(*target, limits.connect);
    std::vector<tcp::endpoint> allowed = AllowedEndpoints(resolved, limits.allow_private);
    if (allowed.empty()) {
      co_return SendOutcome{
          0, resolved.empty()
                 ? "no address for " + target->host
                 : "refused: " + target->host + " resolves only to private or reserved addresses"};
    }
    beast::tcp_stream tcp_stream(executor);
    tcp_stream.expires_after(limits.connect);
    co_await tcp_stream.async_connect(allowed, asio::use_awaitable);
    if (!target->https) {
      tcp_stream.expires_at(deadline);
      SendOutcome outcome = co_await Exchange(tcp_stream, *target, headers, body);
      boost::system::error_code ignored;
      tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      co_return outcome;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), tls);
    // SNI, and the name the certificate must carry.
    if (!SSL_set_tlsext_host_name(stream.native_handle(), target->host.c_str()))
      co_return SendOutcome{0, "cannot set the TLS server name"};
    stream.set_verify_callback(asio::ssl::host_name_verification(target->host));
    beast::get_lowest_layer(stream).expires_after(limits.connect);
    co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    beast::get_lowest_layer(stream).expires_at(deadline);
    SendOutcome outcome = co_await Exchange(stream, *target, headers, body);
    // No TLS shutdown: the request is done, and a receiver that never
    // answers close_notify would hold this attempt to the deadline.
    boost::system::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return outcome;
  } catch (const boost::system::system_error& e) {
    co_return SendOutcome{0, Describe(e.code())};
  }
}

}  // namespace shortlink::admin::webhooks
