// The part of a Host header that names a domain, as domains are stored
// (common/validation.h, NormalizeDomain): lowercased, without the port and
// one trailing dot. Used per request: no allocation.
#pragma once

#include <string_view>

#include "common/validation.h"

namespace shortlink::redirector {

// `host` lowercased into `buffer`, without port and trailing dot. Empty
// when it cannot name a domain (an IPv6 literal, longer than any domain).
inline std::string_view HostName(std::string_view host, char (&buffer)[kMaxDomainLength]) {
  if (host.empty() || host.front() == '[') return {};
  size_t colon = host.rfind(':');
  if (colon != std::string_view::npos) host = host.substr(0, colon);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.size() > sizeof buffer) return {};
  for (size_t i = 0; i < host.size(); ++i) {
    char c = host[i];
    buffer[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return {buffer, host.size()};
}

}  // namespace shortlink::redirector
