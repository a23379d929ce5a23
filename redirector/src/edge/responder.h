// Responder: turns one parsed request into response bytes, written into a
// buffer the connection owns. The hit path copies the target URL straight
// from the LinkTable entry (under RCU) into that buffer between fixed,
// pre-built header blocks: no allocation, no lock.
//
// Nothing unchecked from the request is ever copied into a response
// header: the one request byte sequence that is, the A/B cookie's Path, is
// the path as the visitor typed it, and only once CodeOfPath has found it
// to be 1-64 of [A-Za-z0-9-] (cookie paths are case-sensitive: the cookie
// must come back on the URL the visitor used). A stored
// target holding a byte that cannot appear in a header (CR, LF, controls,
// non-ASCII) is never sent: the request gets a 500 and is counted.
//
// Thread safety: const methods may be called from any number of threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/validation.h"
#include "edge/pages.h"
#include "edge/request_code.h"
#include "edge/request_head.h"
#include "rules/click_policy.h"
#include "rules/rule_engine.h"
#include "rules/visitor_filter.h"
#include "table/link_table.h"

namespace shortlink::redirector {

struct ResponderOptions {
  int redirect_status = 302;  // 301, 302, 307 or 308
  std::string home_url;       // where "/" redirects; empty: "/" is a 404
  // A Host that is neither the default domain's nor a custom domain
  // (LinkTable::Resolve, HostKind::kUnknown): false, a 404; true, answered
  // as the default domain (--unknown-host default).
  bool unknown_host_default = false;
  int64_t (*now_ms)() = nullptr;                  // the clock rules see; null: the system clock
  size_t unique_visitor_slots = size_t{1} << 20;  // 8 bytes each, touched as used
  // The pages people see: ours, or the operator's where EdgePages took one
  // (app.cc sets them from the page flags and refuses to start on a bad one).
  EdgePages pages = {};
};

// What happened, for metrics and click counting.
enum class Outcome {
  kHit,            // a redirect to the link's destination
  kMiss,           // no such link
  kInactive,       // the link is switched off
  kHome,           // "/"
  kUnsafeTarget,   // a stored target that cannot go in a header (500)
  kError,          // a request we refuse
  kRuleFallback,   // a rule sent the visitor elsewhere: expired, over its limit (3xx or 410)
  kPasswordForm,   // the password form (200), a refused password (401) or too many tries (429)
  kPasswordCheck,  // a POSTed password to verify: nothing written yet (see VisitFacts)
  kToHttps,        // sent to the same URL over HTTPS (not a click: that request is)
};

struct ResponseInfo {
  Outcome outcome = Outcome::kError;
  int status = 0;
  // The lowercased code of a hit, valid until the next Respond call on the
  // same `key` (or `code_buffer`).
  std::string_view code;
  // The rules answered (a link with rules).
  bool ruled = false;
  // What the visit counts as, by the one click policy (rules/click_policy.h),
  // for plain and ruled links alike: the caller records it.
  VisitCount counted = VisitCount::kNotCounted;
  // The domain of the link a counted visit is for, lowercased (empty: the
  // default domain), valid as `code` is. Copied out of the table while RCU
  // held it: the table's own view ends with the lookup.
  std::string_view domain;
};

// Where Respond writes the identity of the link it answered, for the
// caller to count it by: a connection owns one, reused per request, so
// nothing is allocated. Copying the domain costs nothing on the default
// domain (empty).
struct LinkKeyBuffer {
  char code[kCodeBufferBytes];
  char domain[kMaxDomainLength];
};

// What the connection knows beyond the request, for links with rules.
struct VisitFacts {
  std::string_view client_address;  // raw bytes of the peer's address
  PasswordState password = PasswordState::kNotGiven;
  bool password_throttled = false;       // too many guesses from this address: answer 429
  uint32_t random = 0;                   // a fresh random number (A/B buckets)
  std::string* password_hash = nullptr;  // receives the hash when the outcome is kPasswordCheck
};

inline constexpr size_t kMaxResponseBytes =
    4096 + 2048;  // headers + the longest Location (kMaxLocationBytes); page bodies are capped too

class Responder {
 public:
  explicit Responder(ResponderOptions options);

  // Writes the response to `head` into `out` (at least kMaxResponseBytes of
  // room) and returns its length. `date` is the preformatted Date value.
  // The link is looked up on the domain the request's Host names
  // (LinkTable::Resolve): no Host, an IP address, localhost or a default
  // host is the default domain; a custom domain answers "/" with its root
  // redirect and a code it lacks with its not-found URL (each, when unset,
  // as the default domain would: the 404 page); an unknown host gets a 404,
  // or the default domain's answers with `unknown_host_default`.
  size_t Respond(const RequestHead& head, const LinkTable& table, std::string_view date, char* out,
                 LinkKeyBuffer& key, ResponseInfo* info, const VisitFacts& facts = {}) const;
  // The same for callers that keep no domain (the fuzz harness): a hit on
  // a custom domain leaves info->domain empty.
  size_t Respond(const RequestHead& head, const LinkTable& table, std::string_view date, char* out,
                 char (&code_buffer)[kCodeBufferBytes], ResponseInfo* info,
                 const VisitFacts& facts = {}) const;

  // A 308 to https://`host``head.target` (`host` as HostName gives it): a
  // plain-HTTP request to a host that asks for HTTPS (edge/https_policy.h).
  // 0 when that URL could not go in a header: the caller answers as usual.
  size_t RedirectToHttps(const RequestHead& head, std::string_view host, std::string_view date,
                         char* out, ResponseInfo* info) const;

  // The response to a request that failed to parse; always closes.
  size_t RespondError(ParseStatus status, std::string_view date, char* out,
                      ResponseInfo* info) const;

 private:
  size_t Redirect(std::string_view status_line, std::string_view location, const RequestHead& head,
                  std::string_view date, char* out) const;
  size_t NotFound(const RequestHead& head, std::string_view date, char* out) const;
  size_t SendPage(int status, Page page, const RequestHead& head, std::string_view date,
                  char* out) const;
  size_t InternalError(const RequestHead& head, std::string_view date, char* out) const;
  size_t RespondWithRules(const LinkView& link, std::string_view path, const RequestHead& head,
                          const VisitFacts& facts, std::string_view date, char* out,
                          ResponseInfo* info) const;

  ResponderOptions options_;
  std::string status_line_;  // "HTTP/1.1 302 Found\r\n"
  // The node's memory of unique visitors (shared by its threads; lock-free).
  mutable VisitorFilter visitors_;
};

// "Sun, 06 Nov 1994 08:49:37 GMT" for `epoch_seconds` (29 characters).
std::string FormatHttpDate(long epoch_seconds);

// Returns true when `url` may be written into a header as it is.
bool SafeHeaderValue(std::string_view url);

}  // namespace shortlink::redirector
