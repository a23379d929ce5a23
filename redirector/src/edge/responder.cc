#include "edge/responder.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <ctime>

#include "common/clock.h"
#include "common/protocol.h"
#include "rules/location_builder.h"
#include "trackers/tracker_page.h"
#include "trackers/tracker_script.h"

namespace shortlink::redirector {
namespace {

// An answer without a hit's code and domain (those only a hit fills in).
ResponseInfo Answered(Outcome outcome, int status, bool ruled = false) {
  ResponseInfo info;
  info.outcome = outcome;
  info.status = status;
  info.ruled = ruled;
  return info;
}

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
  void PutNumber(size_t n) { p = std::to_chars(p, p + 20, n).ptr; }  // 20: size_t's digits
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

constexpr size_t kMaxUrlBytes = kMaxUrlLength;

// Every page answer is a status line, these, Retry-After at most, Date,
// Content-Length, Connection and the body: well within the buffer.
constexpr std::string_view kPageHeaders = kRedirectHeaders;  // no-store, noindex, HTML
constexpr size_t kMaxPageHeadBytes = 1024;
static_assert(kMaxPageBytes + kMaxPageHeadBytes <= kMaxResponseBytes);
static_assert(kMaxTrackerResponseBytes <= kMaxResponseBytes &&
              kMaxTrackerScriptResponseBytes <= kMaxResponseBytes);  // trackers/ writes into `out`

// Refusals and 500s: short plain text, never cached or indexed.
constexpr std::string_view kErrorHeaders =
    "Cache-Control: no-store\r\n"
    "X-Robots-Tag: noindex\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n";

// The A/B cookie's Path is the path the visitor sent (see edge/responder.h), so
// this is checked again where it is written: 1-64 of [A-Za-z0-9-].
bool PlainPathToken(std::string_view path) {
  if (path.empty() || path.size() > kCodeBufferBytes) return false;
  for (char c : path) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
      return false;
  }
  return true;
}

void PutStatusLine(Writer& w, int status) {
  w.Put("HTTP/1.1 ");
  w.PutNumber(static_cast<size_t>(status));
  w.Put(" ");
  w.Put(ReasonPhrase(status));
  w.Put("\r\n");
}

// The rules and the click policy see the visit's method as their own
// VisitMethod (rules/ does not know the request head); it is converted by value.
static_assert(static_cast<int>(Method::kGet) == static_cast<int>(VisitMethod::kGet) &&
              static_cast<int>(Method::kHead) == static_cast<int>(VisitMethod::kHead) &&
              static_cast<int>(Method::kPost) == static_cast<int>(VisitMethod::kPost));

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

size_t Responder::RedirectToHttps(const RequestHead& head, std::string_view host,
                                  std::string_view date, char* out, ResponseInfo* info) const {
  constexpr std::string_view kScheme = "https://";
  char location[kMaxLocationBytes];
  if (host.empty() || kScheme.size() + host.size() + head.target.size() > sizeof location) return 0;
  memcpy(location, kScheme.data(), kScheme.size());
  memcpy(location + kScheme.size(), host.data(), host.size());
  memcpy(location + kScheme.size() + host.size(), head.target.data(), head.target.size());
  std::string_view url(location, kScheme.size() + host.size() + head.target.size());
  if (!SafeHeaderValue(url)) return 0;
  info->outcome = Outcome::kToHttps;
  info->status = 308;
  return Redirect("HTTP/1.1 308 Permanent Redirect\r\n", url, head, date, out);
}

size_t Responder::NotFound(const RequestHead& head, std::string_view date, char* out) const {
  return SendPage(404, Page::kNotFound, head, date, out);
}

size_t Responder::SendPage(int status, Page page, const RequestHead& head, std::string_view date,
                           char* out) const {
  Writer w{out};
  if (status == 404)
    w.Put("HTTP/1.1 404 Not Found\r\n");  // the common one: no lookup of its reason
  else
    PutStatusLine(w, status);
  w.Put(kPageHeaders);
  if (options_.pages.built_in(page)) {
    w.Put("Content-Security-Policy: ");
    w.Put(kBuiltInPagePolicy);
    w.Put("\r\n");
  }
  if (status == 429) w.Put("Retry-After: 60\r\n");
  std::string_view body = options_.pages.body(page);
  PutCommonTail(w, head, date, body.size());
  if (head.method != Method::kHead) w.Put(body);
  return w.p - out;
}

size_t Responder::InternalError(const RequestHead& head, std::string_view date, char* out) const {
  constexpr std::string_view kBody = "Internal Server Error\n";
  Writer w{out};
  w.Put("HTTP/1.1 500 Internal Server Error\r\n");
  w.Put(kErrorHeaders);
  PutCommonTail(w, head, date, kBody.size());
  if (head.method != Method::kHead) w.Put(kBody);
  return w.p - out;
}

size_t Responder::Respond(const RequestHead& head, const LinkTable& table, std::string_view date,
                          char* out, char (&code_buffer)[kCodeBufferBytes], ResponseInfo* info,
                          const VisitFacts& facts) const {
  LinkKeyBuffer key;  // on the stack: nothing allocated
  size_t length = Respond(head, table, date, out, key, info, facts);
  if (!info->code.empty()) {
    memcpy(code_buffer, info->code.data(), info->code.size());
    info->code = std::string_view(code_buffer, info->code.size());
  }
  info->domain = {};
  return length;
}

size_t Responder::Respond(const RequestHead& head, const LinkTable& table, std::string_view date,
                          char* out, LinkKeyBuffer& key, ResponseInfo* info,
                          const VisitFacts& facts) const {
  char(&code_buffer)[kCodeBufferBytes] = key.code;
  *info = ResponseInfo{};
  std::string_view path = head.target.substr(0, head.target.find('?'));
  path.remove_prefix(1);  // the leading '/'
  // Empty for "/" and for a path that cannot be a link (no lookup then).
  std::string_view code = path.empty() ? std::string_view() : CodeOfPath(path, code_buffer);
  size_t length = 0;
  Outcome outcome = Outcome::kMiss;
  std::string_view domain;
  // Answers a link found, while RCU holds its entry.
  auto answer_link = [&](const LinkView& link) {
    if (!link.domain.empty()) {  // the default domain's is empty: nothing to copy
      size_t n = std::min(link.domain.size(), sizeof key.domain);
      memcpy(key.domain, link.domain.data(), n);
      domain = std::string_view(key.domain, n);
    }
    if (link.state != LinkState::kActive) {
      outcome = Outcome::kInactive;
    } else if (link.rules) {
      // Written while RCU holds the entry and its rules.
      length = RespondWithRules(link, path, head, facts, date, out, info);
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
  };
  HostKind kind = HostKind::kDefault;
  bool redirected = false;  // to a custom domain's rootRedirect or notFoundUrl
  table.Resolve(head.host, code, [&](const DomainView& d, const LinkView* link) {
    kind = d.kind;
    if (link) answer_link(*link);
    if (d.kind != HostKind::kCustom || info->ruled ||
        (outcome != Outcome::kMiss && outcome != Outcome::kInactive))
      return;
    // A custom domain's own answers: "/" to its root redirect, a code it
    // does not serve to its not-found URL (else the 404 page, below).
    std::string_view target = path.empty() ? d.root_redirect : d.not_found_url;
    if (target.empty() || !SafeHeaderValue(target)) return;
    redirected = true;
    // Not a link: always 302, whatever links answer with. Copied under RCU.
    length = Redirect("HTTP/1.1 302 Found\r\n", target, head, date, out);
  });
  if (redirected) {
    *info = Answered(path.empty() ? Outcome::kHome : Outcome::kMiss, 302);
    return length;
  }
  if (kind == HostKind::kUnknown) {
    // A host that is neither the default domain's nor a custom domain: 404,
    // or the default domain's answers (--unknown-host default).
    if (!options_.unknown_host_default) {
      *info = Answered(Outcome::kMiss, 404);
      return NotFound(head, date, out);
    }
    kind = HostKind::kDefault;
    if (!code.empty()) table.Find(code, answer_link);
  }
  if (path.empty() && kind == HostKind::kDefault && !options_.home_url.empty()) {
    *info = Answered(Outcome::kHome, 302);
    // "/" is not a link: always 302, whatever links answer with.
    return Redirect("HTTP/1.1 302 Found\r\n", options_.home_url, head, date, out);
  }
  if (info->ruled) {
    info->code = code;
    info->domain = domain;
    return length;
  }
  switch (outcome) {
    case Outcome::kHit:
      *info = ResponseInfo{Outcome::kHit,
                           options_.redirect_status,
                           code,
                           false,
                           CountVisit(VisitEnd::kDestination, static_cast<VisitMethod>(head.method),
                                      head.user_agent),
                           domain};
      return length;
    case Outcome::kError:
      return RespondError(ParseStatus::kMethodNotAllowed, date, out, info);
    case Outcome::kUnsafeTarget:
      *info = Answered(Outcome::kUnsafeTarget, 500);
      return InternalError(head, date, out);
    default:
      *info = Answered(outcome, 404);
      return NotFound(head, date, out);
  }
}

size_t Responder::RespondWithRules(const LinkView& link, std::string_view path,
                                   const RequestHead& head, const VisitFacts& facts,
                                   std::string_view date, char* out, ResponseInfo* info) const {
  info->ruled = true;
  const EdgeRules& rules = *link.rules;
  bool post = head.method == Method::kPost;
  // The tracker page's loader script, at the link's path (trackers/): no click.
  if (!rules.rules.trackers.empty() && !post &&
      IsTrackerScriptQuery(head.target.substr(head.target.find('?') + 1))) {
    *info = Answered(Outcome::kRuleFallback, 200, /*ruled=*/true);
    return WriteTrackerScriptResponse(date,
                                      !head.keep_alive ? "Connection: close\r\n"
                                      : head.http10    ? "Connection: keep-alive\r\n"
                                                       : "",
                                      head.method == Method::kHead, out);
  }
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
  // Only GET, HEAD and POST get this far (ParseRequestHead answers 405 to
  // any other), and the two enums agree on those three (checked above): the
  // rules' method is the head's, converted without a branch.
  visit.method = static_cast<VisitMethod>(head.method);
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
      *info = Answered(Outcome::kPasswordForm, status, /*ruled=*/true);
      Page page = status == 429   ? Page::kPasswordTooMany
                  : status == 401 ? Page::kPasswordWrong
                                  : Page::kPasswordForm;
      return SendPage(status, page, head, date, out);
    }
    case RuleAction::kGone:
      *info = Answered(Outcome::kRuleFallback, 410, /*ruled=*/true);
      return SendPage(410,
                      d.gone_reason == GoneReason::kClickLimit ? Page::kClickLimit : Page::kExpired,
                      head, date, out);
    case RuleAction::kRedirect:
      break;
  }
  bool decorate = d.destination && (!rules.rules.utm.empty() || rules.rules.forward_query);
  if (!SafeHeaderValue(d.target)) {
    *info = Answered(Outcome::kUnsafeTarget, 500, /*ruled=*/true);
    return InternalError(head, date, out);
  }
  int status = d.status ? d.status : options_.redirect_status;
  *info = Answered(d.destination ? Outcome::kHit : Outcome::kRuleFallback, status,
                   /*ruled=*/true);
  info->counted = d.counted;
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
    // Sticky per visitor, for a year, scoped to the path the visitor used:
    // cookie paths are case-sensitive, so "/br-ab" would never come back on
    // "/BR-AB". CodeOfPath took `path` as 1-64 of [A-Za-z0-9-] (no
    // percent-encoding, no '/'); should that ever change, the lowercased
    // code is the sane fallback (sticky on the canonical URL at least).
    w.Put("Set-Cookie: ");
    w.Put(kAbCookieName);
    w.Put("=");
    w.PutNumber(static_cast<size_t>(d.ab_bucket));
    w.Put("; Path=/");
    w.Put(PlainPathToken(path) ? path : link.code);
    w.Put("; Max-Age=31536000; HttpOnly; SameSite=Lax\r\n");
  }
  w.Put(kRedirectHeaders);
  PutCommonTail(w, head, date, kRedirectBody.size());
  if (head.method != Method::kHead) w.Put(kRedirectBody);
  // A browser's visit of a link with trackers: the page that loads them,
  // then goes on (trackers/tracker_page.h); the same click as the redirect.
  if (WantsTrackerPage(rules.rules, head.method == Method::kGet, head.user_agent, head.opted_out))
    if (size_t page = RedirectToTrackerPage(rules.rules, date, out, w.p - out)) {
      info->status = 200;
      return page;
    }
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
  *info = Answered(Outcome::kError, code);
  std::string_view reason = ReasonPhrase(code);
  Writer w{out};
  PutStatusLine(w, code);
  if (code == 405) w.Put("Allow: GET, HEAD\r\n");  // POST only where a form asks for it
  w.Put(kErrorHeaders);
  w.Put("Date: ");
  w.Put(date);
  w.Put("\r\nContent-Length: ");
  w.PutNumber(reason.size() + 1);
  w.Put("\r\nConnection: close\r\n\r\n");
  w.Put(reason);
  w.Put("\n");
  return w.p - out;
}

}  // namespace shortlink::redirector
