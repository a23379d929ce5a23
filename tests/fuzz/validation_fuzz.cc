// Fuzzes code and URL validation (common/validation.h), the gate every
// stored link passes. What it accepts must hold whatever the parser
// underneath (Boost.URL) believes:
//   - a normalized code matches ^[a-z0-9-]{1,64}$, is not reserved, and
//     normalizing it again gives it back;
//   - an accepted long URL is at most 2048 bytes, has no whitespace, control
//     or non-ASCII byte, starts with https:// (any case), names a host with
//     a TLD that is neither ours, nor localhost, nor a blocked shortener,
//     and is a target the redirector will send (SafeHeaderValue): a link
//     admin-api accepts must never be one the edge refuses with a 500.
// The whole input is tried as a code, as a URL, and as the rest of a URL
// after "https://", so the fuzzer need not find the scheme itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/validation.h"
#include "edge/responder.h"
#include "fuzz_check.h"

namespace shortlink {
namespace {

const UrlPolicy& Policy() {
  static const auto* policy = new UrlPolicy{"go.example", DefaultShortenerBlocklist()};
  return *policy;
}

bool IsCodeChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool SameOrSubdomain(std::string_view host, std::string_view domain) {
  return host == domain || (host.size() > domain.size() && host.ends_with(domain) &&
                            host[host.size() - domain.size() - 1] == '.');
}

void CheckCode(std::string_view input) {
  auto code = NormalizeCode(input);
  if (!code.ok()) {
    FUZZ_CHECK(!code.error().message.empty());
    return;
  }
  const std::string& c = *code;
  FUZZ_CHECK(!c.empty() && c.size() <= kMaxCodeLength);
  for (char ch : c) FUZZ_CHECK(IsCodeChar(ch));
  FUZZ_CHECK(c == Lower(input));  // lowercasing is all it does
  FUZZ_CHECK(!IsReservedCode(c));
  auto again = NormalizeCode(c);
  FUZZ_CHECK(again.ok() && *again == c);
}

void CheckUrl(std::string_view url) {
  std::string host = HostOf(url);  // must not crash, whatever the input
  Status status = ValidateLongUrl(url, Policy());
  if (!status.ok()) {
    FUZZ_CHECK(!status.error().message.empty());
    return;
  }
  FUZZ_CHECK(!url.empty() && url.size() <= kMaxUrlLength);
  for (unsigned char c : url) FUZZ_CHECK(c > 0x20 && c < 0x7f);
  FUZZ_CHECK(Lower(url.substr(0, 8)) == "https://");
  FUZZ_CHECK(redirector::SafeHeaderValue(url));
  // The host validation looked at is the host a browser goes to.
  FUZZ_CHECK(!host.empty() && host.find('.') != std::string::npos);
  FUZZ_CHECK(host == Lower(host) && host.back() != '.');
  for (char c : host) FUZZ_CHECK(IsCodeChar(c) || c == '.');
  FUZZ_CHECK(!SameOrSubdomain(host, "localhost"));
  FUZZ_CHECK(!SameOrSubdomain(host, Policy().own_host));
  for (const std::string& blocked : Policy().blocked_hosts)
    FUZZ_CHECK(!SameOrSubdomain(host, blocked));
  // The authority ends at the first '/', '?' or '#' after the scheme; it
  // holds the host, perhaps a port, never credentials.
  std::string_view authority = url.substr(8, url.find_first_of("/?#", 8) - 8);
  FUZZ_CHECK(authority.find('@') == std::string_view::npos);
  std::string authority_host = Lower(authority.substr(0, authority.rfind(':')));
  if (authority_host.ends_with('.')) authority_host.pop_back();
  FUZZ_CHECK(authority_host == host);
}

}  // namespace
}  // namespace shortlink

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shortlink;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckCode(input);
  CheckUrl(input);
  if (input.substr(0, 8) != "https://") CheckUrl("https://" + std::string(input));
  return 0;
}
