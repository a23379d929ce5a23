#include "responder.h"

#include <cstring>
#include <ctime>

#include "common/clock.h"
#include "location_builder.h"

namespace shortlink::redirector {
namespace {

constexpr std::string_view kRedirectHeaders =
    "Cache-Control: no-store\r\n"  // an edit must reach every browser: never cache a redirect
    "X-Robots-Tag: noindex\r\n"
    "Content-Type: text/html; charset=utf-8\r\n";
constexpr std::string_view kRedirectBody = "<html><body>Redirecting&hellip;</body></html>\n";

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 200:
      return "OK";
    case 303:
      return "See Other";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 410:
      return "Gone";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 505:
      return "HTTP Version Not Supported";
  }
  return "Error";
}

// Appends without bounds checks: callers size `out` by kMaxResponseBytes and
// every piece here is bounded (URL <= 2048 by admin-api and by SafeHeaderValue's caller).
struct Writer {
  char* p;
  void Put(std::string_view s) {
    memcpy(p, s.data(), s.size());
    p += s.size();
  }
  void PutNumber(size_t n) {
    char digits[20];
    int len = 0;
    do digits[len++] = static_cast<char>('0' + n % 10);
    while ((n /= 10) != 0);
    while (len) *p++ = digits[--len];
  }
};

void PutCommonTail(Writer& w, const RequestHead& head, std::string_view date, size_t body_length) {
  w.Put("Date: ");
  w.Put(date);
  w.Put("\r\nContent-Length: ");
  w.PutNumber(body_length);
  if (!head.keep_alive)
    w.Put("\r\nConnection: close");
  else if (head.http10)
    w.Put("\r\nConnection: keep-alive");
  w.Put("\r\n\r\n");
}

constexpr size_t kMaxUrlBytes = 2048;
constexpr size_t kMaxNotFoundBytes = 2048;

void PutStatusLine(Writer& w, int status) {
  w.Put("HTTP/1.1 ");
  w.PutNumber(static_cast<size_t>(status));
  w.Put(" ");
  w.Put(ReasonPhrase(status));
  w.Put("\r\n");
}

// The password form: no request data is echoed into it, so nothing a
// visitor sends can become markup. The form posts to the URL it came from
// (query string included, for forwardQuery).
constexpr std::string_view kFormStart =
    "<!doctype html><html><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    "<meta name=\"robots\" content=\"noindex\"><title>Password required</title></head>"
    "<body><form method=\"post\"><p>This link is protected by a password.</p>";
constexpr std::string_view kFormEnd =
    "<input type=\"password\" name=\"password\" autofocus required> "
    "<button type=\"submit\">Open</button></form></body></html>\n";

std::string_view FormMessage(int status) {
  if (status == 401) return "<p role=\"alert\">Wrong password. Try again.</p>";
  if (status == 429)
    return "<p role=\"alert\">Too many attempts. Wait a minute, then try again.</p>";
  return "";
}

}  // namespace

bool SafeHeaderValue(std::string_view url) {
  if (url.empty() || url.size() > kMaxUrlBytes) return false;
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

std::string FormatHttpDate(long epoch_seconds) {
  time_t t = epoch_seconds;
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

Responder::Responder(ResponderOptions options)
    : options_(std::move(options)), visitors_(options_.unique_visitor_slots) {
  if (!options_.now_ms) options_.now_ms = NowMillis;
  if (options_.not_found_html.size() > kMaxNotFoundBytes)
    options_.not_found_html.resize(kMaxNotFoundBytes);
  status_line_ = "HTTP/1.1 " + std::to_string(options_.redirect_status) + " " +
                 std::string(ReasonPhrase(options_.redirect_status)) + "\r\n";
}

size_t Responder::Redirect(std::string_view status_line, std::string_view location,
                           const RequestHead& head, std::string_view date, char* out) const {
  Writer w{out};
  w.Put(status_line);
  w.Put("Location: ");
  w.Put(location);
  w.Put("\r\n");
  w.Put(kRedirectHeaders);
  PutCommonTail(w, head, date, kRedirectBody.size());
  if (head.method != Method::kHead) w.Put(kRedirectBody);
  return w.p - out;
}

size_t Responder::NotFound(const RequestHead& head, std::string_view date, char* out) const {
  Writer w{out};
  w.Put(
      "HTTP/1.1 404 Not Found\r\nCache-Control: no-store\r\nX-Robots-Tag: noindex\r\n"
      "Content-Type: text/html; charset=utf-8\r\n");
  PutCommonTail(w, head, date, options_.not_found_html.size());
  if (head.method != Method::kHead) w.Put(options_.not_found_html);
  return w.p - out;
}

size_t Responder::Respond(const RequestHead& head, const LinkTable& table, std::string_view date,
                          char* out, char (&code_buffer)[kCodeBufferBytes], ResponseInfo* info,
                          const VisitFacts& facts) const {
  *info = ResponseInfo{};
  std::string_view path = head.target.substr(0, head.target.find('?'));
  path.remove_prefix(1);  // the leading '/'
  if (path.empty()) {
    if (!options_.home_url.empty()) {
      *info = ResponseInfo{Outcome::kHome, 302, {}};
      // "/" is not a link: always 302, whatever links answer with.
      return Redirect("HTTP/1.1 302 Found\r\n", options_.home_url, head, date, out);
    }
    *info = ResponseInfo{Outcome::kMiss, 404, {}};
    return NotFound(head, date, out);
  }
  std::string_view code = CodeOfPath(path, code_buffer);
  if (code.empty()) {  // cannot be a link: no lookup
    *info = ResponseInfo{Outcome::kMiss, 404, {}};
    return NotFound(head, date, out);
  }
  size_t length = 0;
  Outcome outcome = Outcome::kMiss;
  table.Find(code, [&](const LinkView& link) {
    if (link.state != LinkState::kActive) {
      outcome = Outcome::kInactive;
    } else if (link.rules) {
      // Written while RCU holds the entry and its rules.
      length = RespondWithRules(link, head, facts, date, out, info);
      outcome = info->outcome;
    } else if (head.method == Method::kPost) {
      outcome = Outcome::kError;  // forms are for password-protected links only
    } else if (!SafeHeaderValue(link.long_url)) {
      outcome = Outcome::kUnsafeTarget;
    } else {
      outcome = Outcome::kHit;
      length = Redirect(status_line_, link.long_url, head, date,
                        out);  // copied while RCU holds it
    }
  });
  if (info->ruled) {
    info->code = code;
    return length;
  }
  switch (outcome) {
    case Outcome::kHit:
      *info = ResponseInfo{Outcome::kHit, options_.redirect_status, code};
      return length;
    case Outcome::kError:
      return RespondError(ParseStatus::kMethodNotAllowed, date, out, info);
    case Outcome::kUnsafeTarget: {
      *info = ResponseInfo{Outcome::kUnsafeTarget, 500, {}};
      Writer w{out};
      w.Put("HTTP/1.1 500 Internal Server Error\r\nCache-Control: no-store\r\n");
      PutCommonTail(w, head, date, 0);
      return w.p - out;
    }
    default:
      *info = ResponseInfo{outcome, 404, {}};
      return NotFound(head, date, out);
  }
}

size_t Responder::RespondWithRules(const LinkView& link, const RequestHead& head,
                                   const VisitFacts& facts, std::string_view date, char* out,
                                   ResponseInfo* info) const {
  info->ruled = true;
  const EdgeRules& rules = *link.rules;
  bool post = head.method == Method::kPost;
  if (post && rules.rules.password_hash.empty()) {
    info->outcome = Outcome::kError;  // answered 405 by the caller
    info->ruled = false;
    return 0;
  }
  if (post && facts.password == PasswordState::kNotGiven && !facts.password_throttled) {
    // The caller verifies off this thread, then asks again with the verdict.
    info->outcome = Outcome::kPasswordCheck;
    if (facts.password_hash) facts.password_hash->assign(rules.rules.password_hash);
    return 0;
  }
  std::string_view query;
  if (size_t q = head.target.find('?'); q != std::string_view::npos)
    query = head.target.substr(q + 1);
  Visit visit;
  visit.code = link.code;
  visit.method = head.method;
  visit.user_agent = head.user_agent;
  visit.cookie = head.cookie;
  visit.client_address = facts.client_address;
  visit.now_ms = options_.now_ms();
  visit.password = facts.password;
  visit.random = facts.random;
  RuleDecision d = EvaluateRules(rules, link.long_url, visit, &visitors_);

  Writer w{out};
  switch (d.action) {
    case RuleAction::kPasswordForm: {
      int status = facts.password_throttled                    ? 429
                   : facts.password == PasswordState::kRefused ? 401
                                                               : 200;
      *info = ResponseInfo{Outcome::kPasswordForm, status, {}, true, false};
      std::string_view message = FormMessage(status);
      PutStatusLine(w, status);
      w.Put("Cache-Control: no-store\r\nX-Robots-Tag: noindex\r\n");
      w.Put("Content-Type: text/html; charset=utf-8\r\n");
      if (status == 429) w.Put("Retry-After: 60\r\n");
      PutCommonTail(w, head, date, kFormStart.size() + message.size() + kFormEnd.size());
      if (head.method != Method::kHead) {
        w.Put(kFormStart);
        w.Put(message);
        w.Put(kFormEnd);
      }
      return w.p - out;
    }
    case RuleAction::kGone: {
      *info = ResponseInfo{Outcome::kRuleFallback, 410, {}, true, false};
      std::string_view reason = d.gone_reason;
      PutStatusLine(w, 410);
      w.Put("Cache-Control: no-store\r\nX-Robots-Tag: noindex\r\n");
      w.Put("Content-Type: text/plain; charset=utf-8\r\n");
      PutCommonTail(w, head, date, reason.size() + 1);
      if (head.method != Method::kHead) {
        w.Put(reason);
        w.Put("\n");
      }
      return w.p - out;
    }
    case RuleAction::kRedirect:
      break;
  }
  bool decorate = d.destination && (!rules.rules.utm.empty() || rules.rules.forward_query);
  if (!SafeHeaderValue(d.target)) {
    *info = ResponseInfo{Outcome::kUnsafeTarget, 500, {}, true, false};
    w.Put("HTTP/1.1 500 Internal Server Error\r\nCache-Control: no-store\r\n");
    PutCommonTail(w, head, date, 0);
    return w.p - out;
  }
  int status = d.status ? d.status : options_.redirect_status;
  *info = ResponseInfo{
      d.destination ? Outcome::kHit : Outcome::kRuleFallback, status, {}, true, d.count_click};
  if (status == options_.redirect_status)
    w.Put(status_line_);
  else
    PutStatusLine(w, status);
  w.Put("Location: ");
  if (decorate) {
    w.p += BuildLocation(d.target, rules.rules.utm.empty() ? nullptr : &rules.rules.utm,
                         rules.rules.forward_query ? query : std::string_view(), w.p,
                         kMaxLocationBytes);
  } else {
    w.Put(d.target);
  }
  w.Put("\r\n");
  if (d.ab_bucket >= 0) {
    // Sticky per visitor, scoped to this link's path, for a year.
    w.Put("Set-Cookie: ");
    w.Put(kAbCookieName);
    w.Put("=");
    w.PutNumber(static_cast<size_t>(d.ab_bucket));
    w.Put("; Path=/");
    w.Put(link.code);
    w.Put("; Max-Age=31536000; HttpOnly; SameSite=Lax\r\n");
  }
  w.Put(kRedirectHeaders);
  PutCommonTail(w, head, date, kRedirectBody.size());
  if (head.method != Method::kHead) w.Put(kRedirectBody);
  return w.p - out;
}

size_t Responder::RespondError(ParseStatus status, std::string_view date, char* out,
                               ResponseInfo* info) const {
  int code = 400;
  switch (status) {
    case ParseStatus::kMethodNotAllowed:
      code = 405;
      break;
    case ParseStatus::kUriTooLong:
      code = 414;
      break;
    case ParseStatus::kHeadersTooLarge:
      code = 431;
      break;
    case ParseStatus::kVersionNotSupported:
      code = 505;
      break;
    case ParseStatus::kPayloadTooLarge:
      code = 413;
      break;
    default:
      code = 400;
      break;
  }
  *info = ResponseInfo{Outcome::kError, code, {}};
  std::string_view reason = ReasonPhrase(code);
  Writer w{out};
  w.Put("HTTP/1.1 ");
  w.PutNumber(code);
  w.Put(" ");
  w.Put(reason);
  w.Put("\r\n");
  if (code == 405) w.Put("Allow: GET, HEAD\r\n");  // POST only where a form asks for it
  w.Put("Content-Type: text/plain\r\nDate: ");
  w.Put(date);
  w.Put("\r\nContent-Length: ");
  w.PutNumber(reason.size() + 1);
  w.Put("\r\nConnection: close\r\n\r\n");
  w.Put(reason);
  w.Put("\n");
  return w.p - out;
}

}  // namespace shortlink::redirector
