#include "edge/request_head.h"

#include <cstring>

namespace shortlink::redirector {
namespace {

bool IsTokenChar(unsigned char c) {
  // RFC 9110 tchar
  static constexpr const char* kExtra = "!#$%&'*+-.^_`|~";
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c && strchr(kExtra, c));
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Does the comma-separated list `value` hold `token` (case-insensitive)?
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (IEquals(TrimOws(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// A field value may hold visible characters, spaces and tabs; never CR, LF or NUL.
bool ValidFieldValue(std::string_view v) {
  for (unsigned char c : v) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

// A Content-Length: digits only. Past 7 digits the exact value does not
// matter (any body over kMaxFormBody is refused): it saturates.
// Leading zeros are refused: "00" is 0 to us but may not be to a proxy in
// front, and a disagreement on framing is how requests get smuggled.
bool ParseLength(std::string_view v, size_t* length) {
  if (v.empty() || (v.size() > 1 && v[0] == '0')) return false;
  size_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n < 10'000'000 ? n * 10 + static_cast<size_t>(c - '0') : n;
  }
  *length = n;
  return true;
}

// RFC 3986 authority: unreserved, pct-encoded, sub-delims, ':' before a
// port, '[' ']' around an IP literal. Not '@': userinfo in an http(s) URI
// is an error for a recipient (RFC 9110 4.2.4).
bool IsAuthorityChar(unsigned char c) {
  static constexpr const char* kExtra = "-._~%!$&'()*+,;=:[]";
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c && strchr(kExtra, c));
}

// Takes an absolute-form target "http(s)://authority[/path][?query]" apart
// (RFC 9112 3.2.2), into views of `target`; false for any other form.
// An empty path is "/" (RFC 9112 3.3): `path` is then the second '/' of
// "//", so that it too points into the request. A query after an empty
// path goes with it: "/" is not a link and takes no query.
bool SplitAbsoluteForm(std::string_view target, std::string_view* path,
                       std::string_view* authority) {
  size_t colon = target.find("://");
  if (colon == std::string_view::npos) return false;
  std::string_view scheme = target.substr(0, colon);
  if (!IEquals(scheme, "http") && !IEquals(scheme, "https")) return false;
  std::string_view rest = target.substr(colon + 3);
  size_t end = rest.find_first_of("/?");
  std::string_view host = rest.substr(0, end);
  // An empty host makes the URI invalid (RFC 9110 4.2.1), ":80" included.
  if (host.empty() || host[0] == ':') return false;
  for (unsigned char c : host)
    if (!IsAuthorityChar(c)) return false;
  *authority = host;
  *path = end != std::string_view::npos && rest[end] == '/' ? rest.substr(end)
                                                            : target.substr(colon + 2, 1);
  return true;
}

}  // namespace

std::string_view TrimOws(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

ParseStatus ParseRequestHead(std::string_view input, RequestHead* head) {
  *head = RequestHead{};
  // --- request line ---
  size_t eol = input.find('\n');
  if (eol == std::string_view::npos) {
    return input.size() > kMaxRequestLine ? ParseStatus::kUriTooLong : ParseStatus::kIncomplete;
  }
  if (eol > kMaxRequestLine) return ParseStatus::kUriTooLong;
  if (eol == 0 || input[eol - 1] != '\r') return ParseStatus::kBadRequest;  // bare LF
  std::string_view line = input.substr(0, eol - 1);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return ParseStatus::kBadRequest;
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (method.empty()) return ParseStatus::kBadRequest;
  for (unsigned char c : method)
    if (!IsTokenChar(c)) return ParseStatus::kBadRequest;
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.')
    return ParseStatus::kBadRequest;
  if (version == "HTTP/1.1")
    head->http10 = false;
  else if (version == "HTTP/1.0")
    head->http10 = true;
  else
    return ParseStatus::kVersionNotSupported;
  for (unsigned char c : target) {
    if (c <= 0x20 || c >= 0x7f) return ParseStatus::kBadRequest;
  }
  std::string_view authority;  // of an absolute-form target
  if (target.empty()) return ParseStatus::kBadRequest;
  if (target[0] != '/' && !SplitAbsoluteForm(target, &target, &authority))
    return ParseStatus::kBadRequest;  // '*', authority form, another scheme
  head->target = target;
  head->method = method == "GET"    ? Method::kGet
                 : method == "HEAD" ? Method::kHead
                 : method == "POST" ? Method::kPost
                                    : Method::kOther;

  // --- header fields ---
  int hosts = 0;
  bool has_te = false, has_cl = false, bad_cl = false, close = false, keep_alive = false;
  size_t pos = eol + 1;
  for (;;) {
    size_t end = input.find('\n', pos);
    if (end == std::string_view::npos) {
      return input.size() > kMaxHead ? ParseStatus::kHeadersTooLarge : ParseStatus::kIncomplete;
    }
    if (end + 1 > kMaxHead) return ParseStatus::kHeadersTooLarge;
    if (end == pos || input[end - 1] != '\r') return ParseStatus::kBadRequest;  // bare LF
    std::string_view field = input.substr(pos, end - 1 - pos);
    pos = end + 1;
    if (field.empty()) break;  // the blank line: end of head
    if (field[0] == ' ' || field[0] == '\t') return ParseStatus::kBadRequest;  // obs-fold
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return ParseStatus::kBadRequest;
    std::string_view name = field.substr(0, colon);
    for (unsigned char c : name)
      if (!IsTokenChar(c)) return ParseStatus::kBadRequest;  // also refuses "Name :"
    std::string_view value = TrimOws(field.substr(colon + 1));
    if (!ValidFieldValue(value)) return ParseStatus::kBadRequest;
    switch (name.size()) {
      case 6:
        if (IEquals(name, "cookie") && head->cookie.empty()) head->cookie = value;
        break;
      case 9:
        if (IEquals(name, "x-real-ip")) head->real_ip = value;
        break;
      case 15:
        if (IEquals(name, "x-forwarded-for"))
          head->forwarded_for = value;
        else if (IEquals(name, "accept-language"))
          head->accept_language = value;
        break;
      case 7:
        if (IEquals(name, "referer"))
          head->referer = value;
        else if (IEquals(name, "sec-gpc"))
          head->opted_out |= value == "1";
        break;
      case 3:
        if (IEquals(name, "dnt")) head->opted_out |= value == "1";
        break;
      case 4:
        if (IEquals(name, "host")) {
          ++hosts;
          head->host = value;
        }
        break;
      case 10:
        if (IEquals(name, "connection")) {
          close |= HasToken(value, "close");
          keep_alive |= HasToken(value, "keep-alive");
        } else if (IEquals(name, "user-agent")) {
          head->user_agent = value;
        }
        break;
      case 14:
        if (IEquals(name, "content-length")) {
          bad_cl |= has_cl || !ParseLength(value, &head->content_length);
          has_cl = true;
        }
        break;
      case 17:
        if (IEquals(name, "transfer-encoding")) has_te = true;
        break;
      default:
        break;
    }
  }
  if (has_te || bad_cl) return ParseStatus::kBadRequest;  // bodies come with a length or not at all
  if (head->content_length > 0 && head->method != Method::kPost) return ParseStatus::kBadRequest;
  if (!head->http10 && hosts != 1) return ParseStatus::kBadRequest;
  if (hosts > 1) return ParseStatus::kBadRequest;
  if (!authority.empty()) head->host = authority;  // RFC 9112 3.2.2: it overrides Host
  head->keep_alive = head->http10 ? (keep_alive && !close) : !close;
  head->length = pos;
  if (head->method == Method::kOther) return ParseStatus::kMethodNotAllowed;
  if (head->content_length > kMaxFormBody) return ParseStatus::kPayloadTooLarge;
  return ParseStatus::kOk;
}

}  // namespace shortlink::redirector
