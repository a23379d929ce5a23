#include "responder.h"

#include <cstring>
#include <ctime>

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
    case 400:
      return "Bad Request";
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

Responder::Responder(ResponderOptions options) : options_(std::move(options)) {
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
  if (head.method == Method::kGet) w.Put(kRedirectBody);
  return w.p - out;
}

size_t Responder::NotFound(const RequestHead& head, std::string_view date, char* out) const {
  Writer w{out};
  w.Put(
      "HTTP/1.1 404 Not Found\r\nCache-Control: no-store\r\nX-Robots-Tag: noindex\r\n"
      "Content-Type: text/html; charset=utf-8\r\n");
  PutCommonTail(w, head, date, options_.not_found_html.size());
  if (head.method == Method::kGet) w.Put(options_.not_found_html);
  return w.p - out;
}

size_t Responder::Respond(const RequestHead& head, const LinkTable& table, std::string_view date,
                          char* out, char (&code_buffer)[kCodeBufferBytes],
                          ResponseInfo* info) const {
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
  // A code is 1-64 of [a-z0-9-], matched case-insensitively: anything else
  // cannot be a link and needs no lookup.
  if (path.size() > kCodeBufferBytes) {
    *info = ResponseInfo{Outcome::kMiss, 404, {}};
    return NotFound(head, date, out);
  }
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      *info = ResponseInfo{Outcome::kMiss, 404, {}};
      return NotFound(head, date, out);
    }
    code_buffer[i] = c;
  }
  std::string_view code(code_buffer, path.size());
  size_t length = 0;
  Outcome outcome = Outcome::kMiss;
  table.Find(code, [&](const LinkView& link) {
    if (link.state != LinkState::kActive) {
      outcome = Outcome::kInactive;
    } else if (!SafeHeaderValue(link.long_url)) {
      outcome = Outcome::kUnsafeTarget;
    } else {
      outcome = Outcome::kHit;
      length = Redirect(status_line_, link.long_url, head, date,
                        out);  // copied while RCU holds it
    }
  });
  switch (outcome) {
    case Outcome::kHit:
      *info = ResponseInfo{Outcome::kHit, options_.redirect_status, code};
      return length;
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
  if (code == 405) w.Put("Allow: GET, HEAD\r\n");
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
