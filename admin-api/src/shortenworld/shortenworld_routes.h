// Shorten World's API (../shared/reference/shortenworld-api.txt) under /v1/,
// so its integrators switch by changing the base URL: its paths' style
// (POST /v1/authen/token is the one its page shows), its parameter names,
// and its envelope, {"status": {"code", "message", "timestamp"}, ...}.
//
// A translation layer only: each call becomes the /api/v1 request it
// stands for (calls.h) and runs through the router as that request, so
// credentials (API keys and access tokens alike), scopes, roles, the rate
// limit, the quota and every check are exactly those of /api/v1; the
// answer is then put in the envelope (answers.h). The one thing added is
// the page title on create (title_fetch.h). Retargeting trackers are
// translated too (tracker_calls.h): link trackers are named by their
// position in the link's list.
//
// The /v1 routes themselves take no credential at the router (Auth::kNone):
// the translated request does, so a refusal (401, 403, 429) comes back
// through here and gets the envelope too. Each call is therefore logged and
// counted twice (its /v1 route, then its /api/v1 route), and counted once
// against the quota and the rate limit (a create that fetches a title: twice;
// a link tracker create or delete, which reads the link then writes it: twice,
// three times with all-trackers).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "http/router.h"

namespace shortlink::admin {

struct ShortenWorldOptions {
  std::string public_url;                  // --public-url, no trailing '/': the default domain
  bool title_fetch_allow_private = false;  // --title-fetch-allow-private (tests)
  std::string title_fetch_ca;          // --title-fetch-ca: PEM CAs trusted instead of the system's
  std::string title_fetch_connect_to;  // --title-fetch-connect-to HOST:PORT (tests)
};

// Adds the /v1 routes. They run their translated requests through `router`
// itself, which must outlive them (it holds them); register before serving.
// Fails, adding nothing, for an unreadable CA file or a connect-to that is
// not HOST:PORT.
Status RegisterShortenWorldRoutes(Router& router, ShortenWorldOptions options);

// `router`'s answer to `req`, with the router's own refusals of /v1 paths
// (404: no such call; 405: not with this method, Allow kept) in the /v1
// envelope, so that an integrator's mistyped path gets the answer shape it
// reads; every other answer as the router gave it. The HTTP server hands
// requests here (serve.cc). The router itself is left as it is: /api/v1
// and the routes' table see no difference.
boost::asio::awaitable<Reply> HandleWithShortenWorldRefusals(Router& router, Request& req,
                                                             std::string_view remote);
// The reshaping alone: `reply` to a request for `target`.
Reply WithShortenWorldRefusal(std::string_view target, Reply reply);

}  // namespace shortlink::admin
