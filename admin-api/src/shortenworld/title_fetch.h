// Fetching a destination's page title over HTTP(S) for Shorten World's
// create, the way webhooks make their outbound calls (webhooks/http_sender.h):
// a coroutine on the request's own I/O thread, so a slow page holds that
// request only, never a thread; every address the name resolves to is
// checked (webhooks/address_policy.h) and the connection goes only to one
// that passed, so a link cannot make admin-api read its private network.
//
// Bounded tightly: one deadline (default 2 s) for everything (resolve,
// connect, TLS, up to 3 redirects, reading), at most 64 KiB of body read,
// and reading stops at </title>. Anything short of a title within those
// bounds (an error, a timeout, no HTML, a refused address) is "": a create
// never fails for want of a title.
//
// Thread safety: the coroutine runs on its caller's executor; `tls` (a
// client context, configured before use) may be shared.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <string>

namespace shortlink::admin::shortenworld {

struct TitleFetchLimits {
  std::chrono::milliseconds total{2'000};  // the whole fetch, redirects included
  size_t max_body_bytes = 64 * 1024;
  int max_redirects = 3;
  // serve --title-fetch-allow-private: loopback and private addresses too (tests).
  bool allow_private = false;
  // serve --title-fetch-connect-to HOST:PORT (tests): every connection goes
  // there, still through the address check; the Host header, SNI and the
  // certificate's name stay the URL's. Empty: the URL's host and port.
  std::string connect_host;
  std::string connect_port;
};

// By value: a coroutine's reference parameters would outlive their arguments.
boost::asio::awaitable<std::string> FetchTitle(boost::asio::ssl::context& tls, std::string url,
                                               TitleFetchLimits limits);

}  // namespace shortlink::admin::shortenworld
