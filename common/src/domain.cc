#include "common/domain.h"

#include "common/validation.h"
#include "common/wire.h"

namespace shortlink {
namespace {

// Field tags. Never reuse a number: stored records and nodes rely on them.
enum Tag : uint8_t {
  kHost = 1,
  kTeam = 2,
  kRootRedirect = 3,
  kNotFoundUrl = 4,
  kCreatedAt = 5,
  kUpdatedAt = 6,
};

Error Malformed(const char* what) { return MakeError(ErrorCode::kInvalidArgument, what); }

}  // namespace

void EncodeDomain(const DomainRecord& domain, std::string* out) {
  wire::PutField(kHost, domain.host, out);
  wire::PutVarintField(kTeam, domain.team, out);
  if (!domain.root_redirect.empty()) wire::PutField(kRootRedirect, domain.root_redirect, out);
  if (!domain.not_found_url.empty()) wire::PutField(kNotFoundUrl, domain.not_found_url, out);
  wire::PutVarintField(kCreatedAt, static_cast<uint64_t>(domain.created_at_ms), out);
  wire::PutVarintField(kUpdatedAt, static_cast<uint64_t>(domain.updated_at_ms), out);
}

Result<DomainRecord> DecodeDomain(std::string_view bytes) {
  DomainRecord domain;
  bool has_host = false;
  wire::Reader reader(bytes);
  while (!reader.done()) {
    uint8_t tag = 0;
    std::string_view field;
    if (!reader.ReadField(&tag, &field)) return Malformed("truncated domain record");
    uint64_t n = 0;
    bool number = tag == kTeam || tag == kCreatedAt || tag == kUpdatedAt;
    if (number && !wire::ParseVarint(field, &n))
      return Malformed("bad integer field in domain record");
    switch (tag) {
      case kHost:
        if (!IsDomainName(field)) return Malformed("bad host in domain record");
        domain.host.assign(field);
        has_host = true;
        break;
      case kTeam:
        domain.team = n;
        break;
      case kRootRedirect:
        domain.root_redirect.assign(field);
        break;
      case kNotFoundUrl:
        domain.not_found_url.assign(field);
        break;
      case kCreatedAt:
        domain.created_at_ms = static_cast<int64_t>(n);
        break;
      case kUpdatedAt:
        domain.updated_at_ms = static_cast<int64_t>(n);
        break;
      default:
        break;  // a field from a newer writer: skip it
    }
  }
  if (!has_host) return Malformed("domain record lacks a host");
  return domain;
}

}  // namespace shortlink
