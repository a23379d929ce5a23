// Fuzzes the redirector's request handling as the edge's Answerer
// (edge/answerer.cc) drives it: the bytes of one connection in (pipelined
// heads), the response bytes out.
// ParseRequestHead and Responder run against a small LinkTable whose
// targets include the hostile ones admin-api never stores but Redis or a
// replica could still deliver (CR/LF, NUL, over 2048 bytes, non-ASCII).
//
// Every response is checked against a model written apart from the code:
// the status and Location it must carry, headers only from a fixed set of
// names and values (nothing from the request ever reaches a header), no CR
// or LF inside a header line, Content-Length equal to the body, and the
// whole response within kMaxResponseBytes (the buffer is exactly that
// large, so ASan catches any byte written past it).
#include <sanitizer/lsan_interface.h>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clicks/click_counter.h"
#include "edge/request_head.h"
#include "edge/responder.h"
#include "fuzz_check.h"
#include "rules/bot_detector.h"
#include "table/link_table.h"

namespace shortlink::redirector {
namespace {

constexpr std::string_view kDate = "Sun, 22 Nov 2026 00:00:00 GMT";
constexpr std::string_view kHomeUrl = "https://home.example/welcome";
constexpr int kMaxPipelined = 64;  // requests answered per input, as the edge caps a read

struct ModelLink {
  std::string url;
  LinkState state;
};

// The table's contents as plain data: the oracle never asks the table.
const std::map<std::string, ModelLink>& Model() {
  static const auto* model = new std::map<std::string, ModelLink>{
      {"abc", {"https://example.com/a", LinkState::kActive}},
      {"x-1", {"https://example.org/p?q=1&r=%0D%0A#frag", LinkState::kActive}},
      {"off", {"https://example.com/off", LinkState::kInactive}},
      {"crlf", {"https://example.com/\r\nSet-Cookie: a=b", LinkState::kActive}},
      {"lf", {"https://example.com/\nX: y", LinkState::kActive}},
      {"nul", {std::string("https://example.com/\0x", 22), LinkState::kActive}},
      {"space", {"https://example.com/a b", LinkState::kActive}},
      {"utf8", {"https://example.com/\xc3\xa9", LinkState::kActive}},
      {"empty", {"", LinkState::kActive}},
      {"max", {"https://example.com/" + std::string(2048 - 20, 'm'), LinkState::kActive}},
      {"over", {"https://example.com/" + std::string(2049 - 20, 'o'), LinkState::kActive}},
      {std::string(64, 'z'), {"https://example.com/64", LinkState::kActive}},
      {"0", {"https://example.com/zero", LinkState::kActive}},
  };
  return *model;
}

// What may be written into a header: 1-2048 visible ASCII bytes. Written
// here again rather than calling SafeHeaderValue, which is under test.
bool Sendable(std::string_view url) {
  if (url.empty() || url.size() > 2048) return false;
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

struct Expected {
  int status = 0;
  std::string_view location;  // empty: no Location header
  bool body = true;           // HEAD answers carry none
  bool close = false;
  bool keep_alive_header = false;
  Outcome outcome = Outcome::kError;
  std::string code;  // of a hit
};

Expected ForParsed(const RequestHead& head, int redirect_status, bool with_home) {
  Expected e;
  e.body = head.method != Method::kHead;
  e.close = !head.keep_alive;
  e.keep_alive_header = head.keep_alive && head.http10;
  std::string_view path = head.target.substr(1, head.target.find('?') - 1);
  if (path.empty()) {
    e.status = with_home ? 302 : 404;
    e.outcome = with_home ? Outcome::kHome : Outcome::kMiss;
    if (with_home) e.location = kHomeUrl;
    return e;
  }
  std::string code;
  for (char c : path) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    code.push_back(c);
  }
  auto it = Model().find(code);
  bool wellformed = code.size() <= 64 && code.find_first_not_of(
                                             "abcdefghijklmnopqrstuvwxyz"
                                             "0123456789-") == std::string::npos;
  if (!wellformed || it == Model().end()) {
    e.status = 404;
    e.outcome = Outcome::kMiss;
  } else if (it->second.state != LinkState::kActive) {
    e.status = 404;
    e.outcome = Outcome::kInactive;
  } else if (head.method == Method::kPost) {
    // POST is for password forms; the model's links have none.
    e.status = 405;
    e.outcome = Outcome::kError;
    e.close = true;
    e.keep_alive_header = false;
  } else if (!Sendable(it->second.url)) {
    e.status = 500;
    e.outcome = Outcome::kUnsafeTarget;
  } else {
    e.status = redirect_status;
    e.outcome = Outcome::kHit;
    e.location = it->second.url;
    e.code = code;
  }
  return e;
}

Expected ForError(ParseStatus status) {
  Expected e;
  e.close = true;
  switch (status) {
    case ParseStatus::kMethodNotAllowed:
      e.status = 405;
      break;
    case ParseStatus::kUriTooLong:
      e.status = 414;
      break;
    case ParseStatus::kHeadersTooLarge:
      e.status = 431;
      break;
    case ParseStatus::kVersionNotSupported:
      e.status = 505;
      break;
    case ParseStatus::kPayloadTooLarge:
      e.status = 413;
      break;
    default:
      e.status = 400;
      break;
  }
  return e;
}

// The response, split and checked against `e`.
void CheckResponse(std::string_view r, const ResponseInfo& info, const Expected& e) {
  FUZZ_CHECK(r.size() <= kMaxResponseBytes);
  FUZZ_CHECK(info.status == e.status);
  FUZZ_CHECK(info.outcome == e.outcome);
  if (e.outcome == Outcome::kHit) FUZZ_CHECK(info.code == e.code);
  size_t head_end = r.find("\r\n\r\n");
  FUZZ_CHECK(head_end != std::string_view::npos);
  std::string_view head = r.substr(0, head_end + 2);  // each line with its CRLF
  std::string_view body = r.substr(head_end + 4);
  std::string status_prefix = "HTTP/1.1 " + std::to_string(e.status) + " ";
  FUZZ_CHECK(head.substr(0, status_prefix.size()) == status_prefix);
  bool saw_location = false, saw_close = false, saw_keep_alive = false, saw_length = false;
  size_t pos = head.find("\r\n") + 2;
  FUZZ_CHECK(head.substr(0, pos - 2).find_first_of("\r\n") == std::string_view::npos);
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    // No CR or LF inside a line: a header cannot be split into two.
    FUZZ_CHECK(line.find_first_of("\r\n") == std::string_view::npos);
    size_t colon = line.find(": ");
    FUZZ_CHECK(colon != std::string_view::npos);
    std::string_view name = line.substr(0, colon), value = line.substr(colon + 2);
    // Header names and values from a fixed set, or exactly a stored target:
    // nothing from the request is copied into a header.
    if (name == "Location") {
      FUZZ_CHECK(!saw_location && value == e.location);
      saw_location = true;
    } else if (name == "Content-Length") {
      // HEAD answers announce the length the GET body would have.
      if (e.body)
        FUZZ_CHECK(value == std::to_string(body.size()));
      else
        FUZZ_CHECK(body.empty() && !value.empty());
      saw_length = true;
    } else if (name == "Connection") {
      FUZZ_CHECK(value == "close" || value == "keep-alive");
      (value == "close" ? saw_close : saw_keep_alive) = true;
    } else if (name == "Date") {
      FUZZ_CHECK(value == kDate);
    } else if (name == "Cache-Control") {
      FUZZ_CHECK(value == "no-store");
    } else if (name == "X-Robots-Tag") {
      FUZZ_CHECK(value == "noindex");
    } else if (name == "Content-Type") {
      FUZZ_CHECK(value == "text/html; charset=utf-8" || value == "text/plain; charset=utf-8");
    } else if (name == "Content-Security-Policy") {
      FUZZ_CHECK(value == kBuiltInPagePolicy);  // on our own pages
    } else if (name == "Allow") {
      FUZZ_CHECK(e.status == 405 && value == "GET, HEAD");
    } else {
      FUZZ_CHECK(!"unexpected header");
    }
  }
  FUZZ_CHECK(saw_length);
  FUZZ_CHECK(saw_location == !e.location.empty());
  FUZZ_CHECK(saw_close == e.close);
  FUZZ_CHECK(saw_keep_alive == e.keep_alive_header);
}

// What ParseRequestHead promises, whatever the bytes.
void CheckParse(std::string_view in, ParseStatus status, const RequestHead& head) {
  if (status == ParseStatus::kIncomplete) {
    // It waits only for a head that can still turn out well: under the size
    // limit, no bare LF seen, no end of head seen.
    FUZZ_CHECK(in.size() <= kMaxHead);
    FUZZ_CHECK(in.find("\r\n\r\n") == std::string_view::npos);
    for (size_t i = 0; i < in.size(); ++i)
      if (in[i] == '\n') FUZZ_CHECK(i > 0 && in[i - 1] == '\r');
    return;
  }
  if (status != ParseStatus::kOk && status != ParseStatus::kMethodNotAllowed) return;
  FUZZ_CHECK(head.length >= 4 && head.length <= in.size() && head.length <= kMaxHead);
  FUZZ_CHECK(in.find("\r\n\r\n") == head.length - 4);  // the first end of head, and only it
  FUZZ_CHECK(in.find("\r\n") <= kMaxRequestLine);
  if (status == ParseStatus::kMethodNotAllowed) return;
  FUZZ_CHECK(head.method == Method::kGet || head.method == Method::kHead ||
             head.method == Method::kPost);
  FUZZ_CHECK(head.content_length <= kMaxFormBody);
  if (head.method != Method::kPost) FUZZ_CHECK(head.content_length == 0);
  auto inside = [&](std::string_view v) {
    return v.empty() || (v.data() >= in.data() && v.data() + v.size() <= in.data() + head.length);
  };
  FUZZ_CHECK(inside(head.target) && inside(head.user_agent) && inside(head.cookie));
  FUZZ_CHECK(!head.target.empty() && head.target[0] == '/');
  for (unsigned char c : head.target) FUZZ_CHECK(c > 0x20 && c < 0x7f);
  for (unsigned char c : head.user_agent) FUZZ_CHECK(c != '\r' && c != '\n' && c != 0);
}

ResponderOptions Options(int status, std::string home_url, const std::string& not_found) {
  ResponderOptions options;
  options.redirect_status = status;
  options.home_url = std::move(home_url);
  FUZZ_CHECK(options.pages.SetNotFound(not_found).ok());
  return options;
}

struct Fixture {
  RcuThreadScope rcu;  // libFuzzer calls the harness on this one thread
  LinkTable table;
  Responder found{Options(302, std::string(kHomeUrl), "<p>no such link</p>")};
  Responder permanent{Options(308, "", std::string(kMaxPageBytes, 'n'))};  // the largest 404
  ClickTable clicks;

  Fixture() {
    // The table keeps its entries behind tagged slot words (a 16-bit tag
    // above a 48-bit pointer), which LeakSanitizer cannot follow: the
    // entries of this never-destroyed table would all look leaked.
    __lsan::ScopedDisabler not_leaks;
    for (const auto& [code, link] : Model()) table.Upsert(code, link.url, link.state);
  }
};

void Run(const Fixture& f, const Responder& responder, int redirect_status, bool with_home,
         std::string_view input, ClickTable& clicks) {
  // Exactly kMaxResponseBytes: a write past it is a heap overflow ASan sees.
  std::unique_ptr<char[]> out(new char[kMaxResponseBytes]);
  char code[kCodeBufferBytes];
  size_t consumed = 0;
  for (int handled = 0; handled < kMaxPipelined && consumed < input.size(); ++handled) {
    std::string_view rest = input.substr(consumed);
    RequestHead head;
    ParseStatus status = ParseRequestHead(rest, &head);
    CheckParse(rest, status, head);
    if (status == ParseStatus::kIncomplete) return;
    ResponseInfo info;
    if (status != ParseStatus::kOk) {
      size_t n = responder.RespondError(status, kDate, out.get(), &info);
      CheckResponse(std::string_view(out.get(), n), info, ForError(status));
      return;  // the edge closes: the stream's framing can no longer be trusted
    }
    if (head.length + head.content_length > rest.size()) return;  // the body is still coming
    size_t n = responder.Respond(head, f.table, kDate, out.get(), code, &info);
    CheckResponse(std::string_view(out.get(), n), info,
                  ForParsed(head, redirect_status, with_home));
    if (info.outcome == Outcome::kHit) {
      if (head.method == Method::kGet && !IsBot(head.user_agent)) {
        if (!clicks.Add(info.code)) clicks.Clear();
      }
    }
    consumed += head.length + head.content_length;
    if (!head.keep_alive || info.outcome == Outcome::kError) return;
  }
}

}  // namespace
}  // namespace shortlink::redirector

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shortlink::redirector;
  static Fixture* fixture = new Fixture();  // never destroyed: RCU readers outlive main
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Run(*fixture, fixture->found, 302, true, input, fixture->clicks);
  Run(*fixture, fixture->permanent, 308, false, input, fixture->clicks);
  return 0;
}
