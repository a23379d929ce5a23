// One webhook request: POST a JSON body to a subscription's URL over HTTP(S)
// with Boost.Beast, and say whether it was delivered.
//
// The name is resolved and every address checked (address_policy.h); the
// connection goes only to addresses that passed, so a rebinding DNS server
// cannot slip a private address in between check and connect. HTTPS
// verifies the certificate chain against the system's store and the name
// against the URL's host. Timeouts: 5 s to resolve and connect, 10 s for the
// whole exchange. The response's body is read up to 64 KiB and ignored; a
// 2xx status means delivered, anything else (a redirect included: a
// receiver that moved says so by failing) is a failed attempt.
//
// Thread safety: the coroutine runs on its caller's executor; the TLS
// context may be shared by coroutines of one thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace shortlink::admin::webhooks {

struct SendOutcome {
  int status = 0;     // the response's status; 0: none came
  std::string error;  // why no 2xx: the network error, or "HTTP <status>"
  bool delivered() const { return status >= 200 && status < 300; }
};

struct SendLimits {
  std::chrono::milliseconds connect{5'000};  // resolve and connect (and the TLS handshake)
  std::chrono::milliseconds total{10'000};   // the whole exchange
  bool allow_private = false;                // address_policy.h
};

// A client TLS context verifying peers against the system's trust store.
boost::asio::ssl::context MakeWebhookTlsContext();

// By value: a coroutine's reference parameters would outlive their
// arguments. `tls` must outlive the coroutine.
boost::asio::awaitable<SendOutcome> PostWebhook(
    boost::asio::ssl::context& tls, std::string url,
    std::vector<std::pair<std::string, std::string>> headers, std::string body, SendLimits limits);

}  // namespace shortlink::admin::webhooks
