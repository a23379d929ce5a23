#include "trackers/tracker_page.h"

#include <array>
#include <cstring>

#include "common/tracker.h"
#include "rules/bot_detector.h"
#include "trackers/bounded_writer.h"

namespace shortlink::redirector {
namespace {

// What a provider's tags load and talk to, for the policy, and the image
// pixel it documents for browsers without script (empty: none). "{id}"
// stands for the pixel id.
struct ProviderHosts {
  TrackerProvider provider;
  std::string_view label;                      // shown to the visitor when asked for consent
  std::string_view scripts;                    // script-src
  std::string_view others;                     // img-src and connect-src
  std::string_view pixel_before, pixel_after;  // <noscript> image: before + id + after
};

constexpr std::array<ProviderHosts, 9> kHosts = {{
    {TrackerProvider::kFacebook, "Facebook", "https://connect.facebook.net",
     "https://www.facebook.com",
     "https://www.facebook.com/tr?id=", "&amp;ev=PageView&amp;noscript=1"},
    {TrackerProvider::kGoogleAnalytics, "Google Analytics", "https://www.googletagmanager.com",
     "https://*.google-analytics.com https://*.analytics.google.com "
     "https://www.googletagmanager.com",
     "", ""},
    {TrackerProvider::kGoogleTagManager, "Google Tag Manager", "https://www.googletagmanager.com",
     "https://www.googletagmanager.com https://*.google-analytics.com", "", ""},
    {TrackerProvider::kLinkedIn, "LinkedIn", "", "https://px.ads.linkedin.com",
     "https://px.ads.linkedin.com/collect/?pid=", "&amp;fmt=gif"},
    {TrackerProvider::kTwitter, "X (Twitter)", "", "https://analytics.twitter.com https://t.co",
     "https://analytics.twitter.com/i/adsct?txn_id=", "&amp;p_id=Twitter"},
    {TrackerProvider::kPinterest, "Pinterest", "", "https://ct.pinterest.com",
     "https://ct.pinterest.com/v3/?event=init&amp;tid=", "&amp;noscript=1"},
    {TrackerProvider::kQuora, "Quora", "", "https://q.quora.com", "https://q.quora.com/_/ad/",
     "/pixel?tag=ViewContent&amp;noscript=1"},
    {TrackerProvider::kAdWords, "Google Ads", "https://www.googletagmanager.com",
     "https://googleads.g.doubleclick.net https://www.googleadservices.com https://www.google.com",
     "", ""},
    {TrackerProvider::kSegment, "Segment", "https://cdn.segment.com", "https://api.segment.io", "",
     ""},
}};

const ProviderHosts& HostsOf(TrackerProvider provider) {
  for (const ProviderHosts& h : kHosts)
    if (h.provider == provider) return h;
  return kHosts[0];  // unreachable: every provider is listed (checked by the tests)
}

// Appends each host of `hosts` (space-separated) not yet in the directive
// that starts at `directive`.
void PutNewHosts(BoundedWriter& o, const char* directive, std::string_view hosts) {
  while (!hosts.empty()) {
    size_t space = hosts.find(' ');
    std::string_view host = hosts.substr(0, space);
    hosts = space == std::string_view::npos ? std::string_view() : hosts.substr(space + 1);
    std::string_view written(directive, o.p - directive);
    bool seen = false;
    for (size_t at = written.find(host); at != std::string_view::npos;
         at = written.find(host, at + 1)) {
      size_t after = at + host.size();
      if (written[at - 1] == ' ' && (after == written.size() || written[after] == ' ')) seen = true;
    }
    if (seen) continue;
    o.Put(" ");
    o.Put(host);
  }
}

// One directive with every tracker's hosts of `member`, or nothing when
// none has any; `self` adds 'self' (the loader) to it.
void PutDirective(BoundedWriter& o, std::string_view name, std::string_view ProviderHosts::*member,
                  bool self, const LinkRules& rules) {
  bool any = self;
  for (const LinkTracker& t : rules.trackers) any |= !(HostsOf(t.provider).*member).empty();
  if (!any) return;
  o.Put(" ");
  const char* directive = o.p;
  o.Put(name);
  if (self) o.Put(" 'self'");
  for (const LinkTracker& t : rules.trackers)
    PutNewHosts(o, directive, HostsOf(t.provider).*member);
  o.Put(";");
}

bool AllValid(const LinkRules& rules) {
  for (const LinkTracker& t : rules.trackers)
    if (!IsValidPixelId(t.provider, t.pixel_id)) return false;
  return !rules.trackers.empty();
}

constexpr std::string_view kStyle =
    "body{margin:0;font:1.125rem/1.5 system-ui,sans-serif;color:#1f2328;background:#fff}"
    "main{max-width:32rem;margin:3rem auto;padding:0 1rem}"
    "h1{font-size:1.5rem;line-height:1.25}"
    "button{font:inherit;margin:0 1rem .75rem 0;padding:.5rem 1.25rem;color:#fff;"
    "background:#0b57d0;border:0;border-radius:4px}"
    "a{color:#0b57d0}";

void PutBody(BoundedWriter& o, const LinkRules& rules, std::string_view target) {
  // kEu is asked of everyone (see the header).
  bool ask = rules.tracker_consent != TrackerConsent::kNone;
  o.Put(
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"robots\" content=\"noindex\">"
      "<meta name=\"referrer\" content=\"no-referrer-when-downgrade\">");
  if (!ask) {
    // Browsers refresh once the page has loaded, so the pixels started by
    // then have been sent.
    o.Put("<meta http-equiv=\"refresh\" content=\"0;url=");
    o.PutEscaped(target);
    o.Put("\">");
  }
  o.Put("<title>");
  o.Put(ask ? "Before you continue" : "Redirecting");
  o.Put("</title><style>");
  o.Put(kStyle);
  o.Put("</style></head><body><main><h1>");
  o.Put(ask ? "Before you continue" : "Redirecting&hellip;");
  o.Put("</h1>");
  if (ask) {
    o.Put("<p>The owner of this link would like to measure visits with ");
    for (size_t i = 0; i < rules.trackers.size(); ++i) {
      if (i) o.Put(i + 1 == rules.trackers.size() ? " and " : ", ");
      o.Put(HostsOf(rules.trackers[i].provider).label);
    }
    o.Put(". Nothing is loaded unless you allow it.</p>");
    o.Put("<p><button id=\"sl-allow\" type=\"button\" hidden>Allow and continue</button>");
    o.Put("<a id=\"sl-go\" href=\"");
    o.PutEscaped(target);
    o.Put("\">Continue without</a></p>");
  } else {
    o.Put("<p><a id=\"sl-go\" href=\"");
    o.PutEscaped(target);
    o.Put("\">Continue to the destination</a></p>");
  }
  // The loader reads these; the ids are [A-Za-z0-9-] (checked by AllValid).
  o.Put("<div id=\"sl-trackers\" hidden data-consent=\"");
  o.Put(ask ? "ask" : "none");
  o.Put("\" data-trackers=\"");
  for (size_t i = 0; i < rules.trackers.size(); ++i) {
    if (i) o.Put(" ");
    o.Put(TrackerProviderName(rules.trackers[i].provider));
    o.Put(":");
    o.Put(rules.trackers[i].pixel_id);
  }
  o.Put("\"></div>");
  if (!ask) {
    bool any = false;
    for (const LinkTracker& t : rules.trackers) {
      const ProviderHosts& h = HostsOf(t.provider);
      if (h.pixel_before.empty()) continue;
      if (!any) o.Put("<noscript>");
      any = true;
      o.Put("<img alt=\"\" width=\"1\" height=\"1\" src=\"");
      o.Put(h.pixel_before);
      o.Put(t.pixel_id);
      o.Put(h.pixel_after);
      o.Put("\">");
    }
    if (any) o.Put("</noscript>");
  }
  o.Put("</main><script src=\"?");
  o.Put(kTrackerScriptQuery);
  o.Put("\"></script></body></html>\n");
}

// The whole line of `response` that starts with `name` (after a CRLF), CRLF
// included; empty when there is none.
std::string_view LineOf(std::string_view response, std::string_view name) {
  size_t at = response.find(name);
  while (at != std::string_view::npos && (at < 2 || response.substr(at - 2, 2) != "\r\n"))
    at = response.find(name, at + 1);
  if (at == std::string_view::npos) return {};
  size_t end = response.find("\r\n", at);
  if (end == std::string_view::npos) return {};
  return response.substr(at, end + 2 - at);
}

}  // namespace

bool WantsTrackerPage(const LinkRules& rules, bool get, std::string_view user_agent,
                      bool opted_out) {
  return !rules.trackers.empty() && get && !opted_out && !IsBot(user_agent);
}

size_t WriteTrackerPolicy(const LinkRules& rules, char* out, size_t capacity) {
  BoundedWriter o{out, out + capacity};
  o.Put("default-src 'none';");
  PutDirective(o, "script-src", &ProviderHosts::scripts, /*self=*/true, rules);
  PutDirective(o, "img-src", &ProviderHosts::others, false, rules);
  PutDirective(o, "connect-src", &ProviderHosts::others, false, rules);
  o.Put(
      " style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; "
      "base-uri 'none'");
  return o.ok ? static_cast<size_t>(o.p - out) : 0;
}

size_t WriteTrackerPage(const LinkRules& rules, std::string_view target,
                        const TrackerPageHead& head, char* out, size_t capacity) {
  if (!AllValid(rules)) return 0;
  // The body first, at the far end of the room, so its length is known for
  // the head; then the head, then the body moved behind it.
  constexpr size_t kMaxHeadBytes = 1536;
  if (capacity <= kMaxHeadBytes) return 0;
  char* body_start = out + kMaxHeadBytes;
  BoundedWriter body{body_start, out + capacity};
  PutBody(body, rules, target);
  if (!body.ok) return 0;
  size_t body_length = body.p - body_start;

  char head_bytes[kMaxHeadBytes];
  BoundedWriter h{head_bytes, head_bytes + sizeof head_bytes};
  h.Put(
      "HTTP/1.1 200 OK\r\n"
      "Cache-Control: no-store\r\n"
      "X-Robots-Tag: noindex\r\n"
      "Content-Type: text/html; charset=utf-8\r\n"
      "Referrer-Policy: no-referrer-when-downgrade\r\n"
      "Content-Security-Policy: ");
  if (h.ok) {
    size_t n = WriteTrackerPolicy(rules, h.p, h.end - h.p);
    if (n == 0) return 0;
    h.p += n;
  }
  h.Put("\r\n");
  h.Put(head.set_cookie);
  h.Put("Date: ");
  h.Put(head.date);
  h.Put("\r\nContent-Length: ");
  h.PutNumber(body_length);
  h.Put("\r\n");
  h.Put(head.connection);
  h.Put("\r\n");
  if (!h.ok) return 0;
  size_t head_length = h.p - head_bytes;
  memmove(out + head_length, body_start, body_length);
  memcpy(out, head_bytes, head_length);
  return head_length + body_length;
}

size_t RedirectToTrackerPage(const LinkRules& rules, std::string_view date, char* response,
                             size_t length) {
  std::string_view written(response, length);
  std::string_view location = LineOf(written, "Location: ");
  if (location.empty()) return 0;
  // Copied out first: the page is written over them.
  char target[kMaxTrackerResponseBytes];
  char cookie[kMaxTrackerResponseBytes];
  char connection[64];
  // (An absent line is an empty view whose data() may be null: memcpy
  // must not see it, even for 0 bytes.)
  auto copy = [](char* to, std::string_view from) {
    if (!from.empty()) memcpy(to, from.data(), from.size());
  };
  std::string_view url = location.substr(10, location.size() - 12);
  copy(target, url);
  std::string_view set_cookie = LineOf(written, "Set-Cookie: ");
  copy(cookie, set_cookie);
  std::string_view connection_line = LineOf(written, "Connection: ");
  if (connection_line.size() > sizeof connection) return 0;
  copy(connection, connection_line);
  TrackerPageHead head{date, std::string_view(cookie, set_cookie.size()),
                       std::string_view(connection, connection_line.size())};
  return WriteTrackerPage(rules, std::string_view(target, url.size()), head, response,
                          kMaxTrackerResponseBytes);
}

}  // namespace shortlink::redirector
