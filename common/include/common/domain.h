// A custom domain (issue 19, Shorten World's "domain subscriptions"): a host
// a team's links live on besides the default domain, with what its two
// special answers are. Owned by admin-api (admin-api/src/domains/), carried
// to the redirect nodes by the change log (common/change.h) and snapshots,
// and served by them (redirector/src/table/).
//
// Encoding: like a link record, a sequence of `tag (1 byte) | varint length
// | bytes` fields; unknown tags are skipped, so fields can be added later.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace shortlink {

struct DomainRecord {
  std::string host;           // as common/validation.h's NormalizeDomain stores it
  uint64_t team = 0;          // the owning team
  std::string root_redirect;  // where "/" on the host redirects; empty: our 404 page
  std::string not_found_url;  // where an unknown code redirects; empty: our 404 page
  int64_t created_at_ms = 0;  // Unix epoch, milliseconds
  int64_t updated_at_ms = 0;

  bool operator==(const DomainRecord&) const = default;
};

void EncodeDomain(const DomainRecord& domain, std::string* out);
// Parses a whole record; rejects truncated input and a host that is not a
// lowercase host name (IsDomainName): a node keys its Host lookup by it.
Result<DomainRecord> DecodeDomain(std::string_view bytes);

}  // namespace shortlink
