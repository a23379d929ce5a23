// Validation of short codes and target URLs, shared by the API (which
// refuses bad input) and the redirector (which never trusts what it is sent).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/protocol.h"  // kMaxCodeLength, kMaxUrlLength
#include "common/result.h"

namespace shortlink {

constexpr size_t kRandomCodeLength = 8;  // 36^8 ~ 2^41: enough to defeat enumeration

// Lowercases `code` and checks it: 1-64 chars of [a-z0-9-], not a reserved
// word. Returns the normalized code or a message naming the problem.
Result<std::string> NormalizeCode(std::string_view code);
bool IsReservedCode(std::string_view lowercase_code);

// Hosts of other link shorteners: links to them make redirect chains and
// loops, so we refuse them. The default list ships with the program.
const std::vector<std::string>& DefaultShortenerBlocklist();

struct UrlPolicy {
  std::string own_host;  // the deployment's short domain (from --public-url), lowercase
  std::vector<std::string> blocked_hosts;  // lowercase; a host matches itself and its subdomains
};

// Checks a target URL: https:// only, absolute, a host with a TLD, no
// credentials, no whitespace or control characters, at most 2048 chars, not
// our own domain, not a blocked shortener. Returns OK or a message that
// names the problem.
Status ValidateLongUrl(std::string_view url, const UrlPolicy& policy);

// Host part of an https URL, lowercased; empty when there is none.
std::string HostOf(std::string_view url);

// Domains: the host names links live on (common/link.h, Link::domain).
constexpr size_t kMaxDomainLength = 253;  // DNS, without a trailing dot

// Whether `domain` is a host name a link may live on, exactly as stored:
// lowercase LDH labels of 1-63 characters that neither start nor end with a
// hyphen, with "--" in the third and fourth place only for punycode
// ("xn--"), at most 253 characters, at least two labels, the last one a
// top-level domain (letters, or punycode). So IP literals (a numeric last
// label, brackets), ports, "localhost", upper case, a trailing dot and the
// empty string (the default domain, which is never named) are all refused.
// Allocation-free: nodes call it on every record they decode.
bool IsDomainName(std::string_view domain);

// A domain as a user may type it: lowercased, one trailing dot dropped,
// then checked as IsDomainName. Returns the stored form or a message that
// names the problem.
Result<std::string> NormalizeDomain(std::string_view domain);

}  // namespace shortlink
