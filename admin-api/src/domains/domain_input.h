// The pure parts of the domain routes: hosts, bodies and paging as a client
// gives them, checked. Apart from the handlers so that tests (and fuzzers)
// reach them without a server.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/validation.h"

namespace shortlink::admin {

// A host as a user types it, in the form it is stored and matched in:
// lowercased, without a port (":8443") and one trailing dot, then a valid
// DNS name (NormalizeDomain: no IP address, no "localhost"). The default
// domain's host (`policy.own_host`) is refused: its links are the ones
// without a domain.
Result<std::string> NormalizeDomainHost(std::string_view host, const UrlPolicy& policy);

// The fields of a POST or PATCH body. For a URL, "" (or null) clears it.
struct DomainFields {
  std::optional<std::string> host;  // normalized (POST only)
  std::optional<std::string> root_redirect;
  std::optional<std::string> not_found_url;
};

// {"host": ..., "rootRedirect": ..., "notFoundUrl": ...} for a POST (host
// required), {"rootRedirect", "notFoundUrl"} for a PATCH (one at least).
// Unknown keys are refused; URLs are checked as a link's target is
// (ValidateLongUrl).
Result<DomainFields> ParseDomainBody(const simdjson::dom::object& obj, const UrlPolicy& policy,
                                     bool create);

}  // namespace shortlink::admin
