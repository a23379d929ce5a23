// Responder: turns one parsed request into response bytes, written into a
// buffer the connection owns. The hit path copies the target URL straight
// from the LinkTable entry (under RCU) into that buffer between fixed,
// pre-built header blocks: no allocation, no lock.
//
// Nothing from the request is ever copied into a response header. A stored
// target holding a byte that cannot appear in a header (CR, LF, controls,
// non-ASCII) is never sent: the request gets a 500 and is counted.
//
// Thread safety: const methods may be called from any number of threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "link_table.h"
#include "request_head.h"

namespace shortlink::redirector {

struct ResponderOptions {
  int redirect_status = 302;   // 301, 302, 307 or 308
  std::string home_url;        // where "/" redirects; empty: "/" is a 404
  std::string not_found_html;  // body of the 404 page
};

// What happened, for metrics and click counting.
enum class Outcome { kHit, kMiss, kInactive, kHome, kUnsafeTarget, kError };

struct ResponseInfo {
  Outcome outcome = Outcome::kError;
  int status = 0;
  // The lowercased code of a hit, valid until the next Respond call on the
  // same `code_buffer`.
  std::string_view code;
};

inline constexpr size_t kMaxResponseBytes =
    4096 + 2048;  // headers + the longest URL; 404 bodies are capped too
inline constexpr size_t kCodeBufferBytes = 64;

class Responder {
 public:
  explicit Responder(ResponderOptions options);

  // Writes the response to `head` into `out` (at least kMaxResponseBytes of
  // room) and returns its length. `date` is the preformatted Date value.
  size_t Respond(const RequestHead& head, const LinkTable& table, std::string_view date, char* out,
                 char (&code_buffer)[kCodeBufferBytes], ResponseInfo* info) const;

  // The response to a request that failed to parse; always closes.
  size_t RespondError(ParseStatus status, std::string_view date, char* out,
                      ResponseInfo* info) const;

 private:
  size_t Redirect(std::string_view status_line, std::string_view location, const RequestHead& head,
                  std::string_view date, char* out) const;
  size_t NotFound(const RequestHead& head, std::string_view date, char* out) const;

  ResponderOptions options_;
  std::string status_line_;  // "HTTP/1.1 302 Found\r\n"
};

// "Sun, 06 Nov 1994 08:49:37 GMT" for `epoch_seconds` (29 characters).
std::string FormatHttpDate(long epoch_seconds);

// Returns true when `url` may be written into a header as it is.
bool SafeHeaderValue(std::string_view url);

}  // namespace shortlink::redirector
