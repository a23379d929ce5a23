#include "shortenworld/title_fetch.h"

#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <optional>

#include "links/link_patch.h"
#include "shortenworld/page_title.h"
#include "webhooks/address_policy.h"

namespace shortlink::admin::shortenworld {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Deadline = std::chrono::steady_clock::time_point;

struct Target {
  bool https = true;
  std::string host;  // a name, or an address without brackets
  std::string port;
  std::string host_header;
  std::string path;  // path and query
};

std::optional<Target> ParseTarget(const boost::urls::url_view& u) {
  if (u.host().empty()) return std::nullopt;
  Target t;
  t.https = u.scheme() == "https";
  if (!t.https && u.scheme() != "http") return std::nullopt;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      t.host = u.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      t.host = u.host_ipv6_address().to_string();
      break;
    case boost::urls::host_type::name:
      t.host = u.host_name();
      break;
    default:
      return std::nullopt;
  }
  t.port = u.has_port() ? std::string(u.port()) : t.https ? "443" : "80";
  t.host_header = std::string(u.encoded_host_and_port());
  t.path = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) t.path += "?" + std::string(u.encoded_query());
  return t;
}

std::chrono::steady_clock::duration Left(Deadline deadline) {
  return std::max(deadline - std::chrono::steady_clock::now(),
                  std::chrono::steady_clock::duration::zero());
}

asio::awaitable<std::vector<tcp::endpoint>> Resolve(std::string host, std::string port,
                                                    Deadline deadline) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  asio::steady_timer timer(executor, Left(deadline));
  timer.async_wait([&resolver](boost::system::error_code ec) {
    if (!ec) resolver.cancel();
  });
  auto results = co_await resolver.async_resolve(host, port, asio::use_awaitable);
  timer.cancel();
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  co_return endpoints;
}

// What one GET answered: a redirect's Location, or the title of a page.
struct Hop {
  std::string location;
  std::string title;
};

template <class Stream>
asio::awaitable<Hop> Get(Stream& stream, const Target& t, const TitleFetchLimits& limits) {
  http::request<http::empty_body> req{http::verb::get, t.path, 11};
  req.set(http::field::host, t.host_header);
  req.set(http::field::user_agent, "shortlink-title/1");
  req.set(http::field::accept, "text/html");
  req.set(http::field::accept_encoding, "identity");
  req.set(http::field::connection, "close");
  co_await http::async_write(stream, req, asio::use_awaitable);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);  // the loop below stops at max_body_bytes itself
  co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);
  const auto& res = parser.get();
  Hop hop;
  unsigned status = res.result_int();
  if (status >= 300 && status < 400) {
    hop.location = std::string(res[http::field::location]);
    co_return hop;
  }
  if (status < 200 || status >= 300) co_return hop;
  auto type = res[http::field::content_type];
  if (!type.empty() && type.find("html") == std::string_view::npos) co_return hop;
  boost::system::error_code ec;
  while (!parser.is_done() && res.body().size() < limits.max_body_bytes &&
         res.body().find("</title") == std::string::npos &&
         res.body().find("</TITLE") == std::string::npos) {
    co_await http::async_read_some(stream, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;  // what came so far may hold the title
  }
  std::string_view body = res.body();
  hop.title = ExtractTitle(body.substr(0, limits.max_body_bytes), kMaxTitleBytes);
  co_return hop;
}

asio::awaitable<Hop> FetchOnce(asio::ssl::context& tls, const Target& target,
                               const TitleFetchLimits& limits, Deadline deadline) {
  auto executor = co_await asio::this_coro::executor;
  bool redirected = !limits.connect_host.empty();
  std::vector<tcp::endpoint> resolved =
      co_await Resolve(redirected ? limits.connect_host : target.host,
                       redirected ? limits.connect_port : target.port, deadline);
  std::vector<tcp::endpoint> allowed = webhooks::AllowedEndpoints(resolved, limits.allow_private);
  if (allowed.empty()) co_return Hop{};
  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_at(deadline);
  co_await tcp_stream.async_connect(allowed, asio::use_awaitable);
  boost::system::error_code ignored;
  if (!target.https) {
    Hop hop = co_await Get(tcp_stream, target, limits);
    tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return hop;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), tls);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), target.host.c_str())) co_return Hop{};
  stream.set_verify_callback(asio::ssl::host_name_verification(target.host));
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  Hop hop = co_await Get(stream, target, limits);
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return hop;
}

}  // namespace

asio::awaitable<std::string> FetchTitle(asio::ssl::context& tls, std::string url,
                                        TitleFetchLimits limits) {
  const Deadline deadline = std::chrono::steady_clock::now() + limits.total;
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) co_return "";
  boost::urls::url current(*parsed);
  try {
    for (int hop = 0; hop <= limits.max_redirects; ++hop) {
      std::optional<Target> target = ParseTarget(current);
      if (!target) co_return "";
      Hop answer = co_await FetchOnce(tls, *target, limits, deadline);
      if (answer.location.empty()) co_return answer.title;
      auto next = boost::urls::parse_uri_reference(answer.location);
      if (!next) co_return "";
      boost::urls::url resolved;
      if (!boost::urls::resolve(current, *next, resolved)) co_return "";
      current = std::move(resolved);
    }
  } catch (const boost::system::system_error&) {
    // A timeout, a refused connection, a bad certificate: no title.
  }
  co_return "";
}

}  // namespace shortlink::admin::shortenworld
