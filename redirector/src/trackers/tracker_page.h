// The tracker page (issue 21): what a browser gets from a link with
// retargeting trackers instead of the redirect. A small HTML page of ours
// that loads the link's pixels and then goes on to the target (a meta
// refresh once the page has loaded, and a link). The visitor pays the
// loader (one more request here, cached for a day) and the providers' tags
// up to the load event; the node pays the render (~0.3-0.4 us more than a
// redirect, tests/redirector/trackers_page_test.cc "[.bench]").
//
// Rendered from the provider and the pixel id alone, each id held to its
// provider's pattern (common/tracker.h: [A-Za-z0-9-] only, checked again
// here), and the target HTML-escaped. The page holds no inline script: the
// loader (tracker_script.h) is a static script at the link's own path with
// the query kTrackerScriptQuery, and the Content-Security-Policy allows
// exactly the link's providers' script, image and connect hosts beside it.
// Where a provider takes a plain image pixel, the page also carries it in
// <noscript>.
//
// Consent (TrackerConsent): with kAlways the page asks first (a button the
// loader shows) and loads nothing before the visitor agrees; there is no
// automatic redirect then, and the link onward never loads a pixel. kEu is
// served as kAlways: the edge does not know a visitor's country on the
// response path (the geo lookup runs on the click collector's thread), so
// every visitor is asked.
//
// Who gets the page (WantsTrackerPage): GETs from browsers. Bots (by
// User-Agent, rules/bot_detector.h), HEAD, a password form's POST, and
// anyone sending Sec-GPC: 1 or DNT: 1 get the plain redirect. The page view
// is the visit's one click: the browser then goes to the target itself.
//
// Allocation-free and bounded: the response is written into the caller's
// buffer, and a page that would not fit (a very long target) is not
// written at all (0): the caller sends the plain redirect then.
//
// Thread safety: plain functions of their arguments.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/link_rules.h"

namespace shortlink::redirector {

// The query that names the loader script on a link's path: "/CODE?sl-trackers.js".
inline constexpr std::string_view kTrackerScriptQuery = "sl-trackers.js";

// A whole tracker page response (head and body) is at most this long.
inline constexpr size_t kMaxTrackerResponseBytes = 6144;

// True when a visit of a link with `rules` gets the tracker page: the link
// has trackers, the request is a GET (not HEAD or POST) from an agent that
// is not a bot, and it did not opt out (Sec-GPC: 1 or DNT: 1).
bool WantsTrackerPage(const LinkRules& rules, bool get, std::string_view user_agent,
                      bool opted_out);

// What the page answers with beside its body.
struct TrackerPageHead {
  std::string_view date;        // the preformatted Date value
  std::string_view set_cookie;  // a whole "Set-Cookie: ...\r\n" line, or empty
  std::string_view connection;  // a whole "Connection: ...\r\n" line, or empty
};

// Writes the 200 response: status line, no-store, noindex, the policy, the
// head's lines, then the page for `rules`' trackers leading to `target`.
// Returns its length, or 0 when it would exceed `capacity` (at most
// kMaxTrackerResponseBytes is ever needed) or a tracker's id fails its
// pattern.
size_t WriteTrackerPage(const LinkRules& rules, std::string_view target,
                        const TrackerPageHead& head, char* out, size_t capacity);

// The page's Content-Security-Policy for `rules`' trackers, written into
// `out`; its length, or 0 when it would exceed `capacity`.
size_t WriteTrackerPolicy(const LinkRules& rules, char* out, size_t capacity);

// Turns the redirect the responder wrote into `response` (`length` bytes:
// status line, Location, maybe Set-Cookie, then our redirect headers) into
// the tracker page for `rules`, in place; `response` has room for
// kMaxTrackerResponseBytes. Returns the new length, or 0 (the redirect is
// left as it was) when the page would not fit.
size_t RedirectToTrackerPage(const LinkRules& rules, std::string_view date, char* response,
                             size_t length);

}  // namespace shortlink::redirector
