// Parsing an HTTP/1.x request head (request line and header fields) for the
// edge. Strict where leniency lets requests be smuggled past a proxy, small
// and allocation-free: every view points into the caller's buffer.
//
// What is refused (RFC 9112), and with what status:
//   request line longer than kMaxRequestLine          414
//   head longer than kMaxHead                         431
//   bare LF, obs-fold, bad field names or whitespace  400
//   a target in asterisk or authority form ('*')      400
//   an absolute form other than http(s)://authority,
//     or with userinfo or an empty host                400
//   HTTP/1.1 without exactly one Host                 400
//   any Transfer-Encoding, or Content-Length twice    400
//   a body on GET or HEAD (Content-Length not 0)      400
//   a POST body over kMaxFormBody (password forms)    413
//   a version other than HTTP/1.0 and HTTP/1.1        505
//   a method other than GET, HEAD and POST            405
//
// Absolute-form targets ("GET http://host/code", RFC 9112 3.2.2: a server
// MUST accept them) are taken apart here: `target` is the path and query
// after the authority, so nothing downstream sees the form, and `host` is
// the authority, which overrides the Host field (RFC 9112 3.2.2). HTTP/1.1
// still needs exactly one Host field (RFC 9112 3.2).
#pragma once

#include <cstddef>
#include <string_view>

namespace shortlink::redirector {

inline constexpr size_t kMaxRequestLine = 8 * 1024;  // bytes
inline constexpr size_t kMaxHead = 16 * 1024;        // bytes, request line included
inline constexpr size_t kMaxFormBody = 1024;         // a password form's POST

// POST exists for password-protected links' forms only (the responder
// answers 405 on any other link).
enum class Method { kGet, kHead, kPost, kOther };

struct RequestHead {
  Method method = Method::kOther;
  std::string_view target;  // origin form: starts with '/' (see above for the absolute form)
  std::string_view host;    // the absolute form's authority, else the Host field; may be empty
  bool http10 = false;
  bool keep_alive = true;  // after Connection and the version's default
  std::string_view user_agent;
  std::string_view cookie;           // the first Cookie field
  std::string_view forwarded_for;    // the last X-Forwarded-For field, as sent
  std::string_view real_ip;          // the X-Real-IP field
  std::string_view referer;          // the last Referer field (click analytics)
  std::string_view accept_language;  // the last Accept-Language field (click analytics)
  bool opted_out = false;            // Sec-GPC: 1 or DNT: 1 (no tracker page, trackers/)
  size_t content_length = 0;         // POST only: the body follows the head
  size_t length = 0;                 // bytes of the head, CRLFCRLF included
};

enum class ParseStatus {
  kIncomplete,  // need more bytes
  kOk,
  kBadRequest,           // 400
  kMethodNotAllowed,     // 405 (the head itself was well formed)
  kUriTooLong,           // 414
  kHeadersTooLarge,      // 431
  kPayloadTooLarge,      // 413
  kVersionNotSupported,  // 505
};

// Parses the head at the start of `input`. On kOk, `head` is filled and
// head->length tells where the next request starts.
ParseStatus ParseRequestHead(std::string_view input, RequestHead* head);

// `v` without the spaces and tabs HTTP allows around a field value or a
// list element (RFC 9110 "OWS").
std::string_view TrimOws(std::string_view v);

}  // namespace shortlink::redirector
