// HttpsPolicy: which hosts move their visitors to HTTPS. A plain-HTTP
// request to a host of `redirect` gets a 308 to the same URL on https://
// (no click: the click is the HTTPS request that follows); an HTTPS answer
// for a host of `hsts` carries Strict-Transport-Security, so the browser
// comes back over HTTPS only (RFC 6797; never sent over plain HTTP, where
// browsers ignore it).
//
// Hosts are listed as on the command line: exact names, "*.example.com"
// (one label, as a certificate's wildcard), or "*" for every host.
//
// Thread safety: immutable once built; matching allocates nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace shortlink::redirector {

class HostList {
 public:
  // "a.example,*.example.com" or "*"; empty: no host. Fails on a name that
  // is not a host name.
  static Result<HostList> Parse(std::string_view comma_separated);
  // `host` as HostName gives it (lower case, no port, no trailing dot).
  bool Matches(std::string_view host) const;
  bool empty() const { return !all_ && names_.empty() && parents_.empty(); }

 private:
  bool all_ = false;
  std::vector<std::string> names_;
  std::vector<std::string> parents_;  // "*.example.com" kept as ".example.com"
};

struct HttpsPolicy {
  HostList redirect;
  HostList hsts;
  std::string hsts_header;  // "Strict-Transport-Security: max-age=N\r\n"

  static std::string HstsHeader(uint32_t max_age_seconds);
};

// The longest header HttpsPolicy adds to a response.
inline constexpr size_t kMaxHstsHeaderBytes = 64;

}  // namespace shortlink::redirector
