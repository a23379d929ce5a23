// What analytics reads from a visit's request besides the agent and the
// address: the visitor's language, the referring site and the source.
// Pure functions on header values (no allocation beyond the result).
#pragma once

#include <string>
#include <string_view>

namespace shortlink::classify {

// The primary (highest q, first on ties; q=0 never) language range of an
// Accept-Language value, lower case ("en", "pt-br"), only [a-z0-9-], at
// most 16 bytes; "none" when absent, "*" or unreadable.
std::string PrimaryLanguage(std::string_view accept_language);

// The host of a Referer value, lower case, without port, userinfo, a
// trailing dot or a leading "www." (an IPv6 literal keeps its brackets);
// "direct" when absent, not an http(s) URL, or not a host name of at most
// 253 bytes.
std::string ReferrerHost(std::string_view referer);

// The visit's source: the utm_source parameter of `query` (the request
// target's part after '?', '+' and percent-decoded, lower case, printable
// ASCII only, at most 64 bytes), else `referrer_host` (as ReferrerHost
// returns it; "direct" when empty).
std::string SourceOf(std::string_view query, std::string_view referrer_host);

}  // namespace shortlink::classify
