// The keys of admin-api's tables (store/table.h). Big-endian numbers keep
// numeric order equal to byte order, so a table of numbered records scans
// in number order.
//
// A link's key is its identity, (domain, code), in common's layout
// (EncodeLinkKey: the domain's bytes, a 0x00 byte, the code), so a prefix
// scan of LinkDomainPrefix(domain) lists that domain's links in code order,
// apart from every other domain's. The default domain is the empty string,
// so its links' keys are "\0" + code. Build link keys here only, never by
// hand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/link.h"
#include "common/wire.h"

namespace shortlink::admin::dbkey {

// The domain of every link created before custom domains.
inline constexpr std::string_view kDefaultDomain = "";

inline std::string LinkDomainPrefix(std::string_view domain) { return EncodeLinkKey({domain, ""}); }
inline std::string Link(std::string_view domain, std::string_view code) {
  return EncodeLinkKey({domain, code});
}
inline std::string LinkOf(const shortlink::Link& link) { return EncodeLinkKey(KeyOf(link)); }
// Splits a key of Table::kLinks; false when it is not one.
inline bool ParseLink(std::string_view key, std::string_view* domain, std::string_view* code) {
  LinkKey parsed;
  if (!DecodeLinkKey(key, &parsed)) return false;
  *domain = parsed.domain;
  *code = parsed.code;
  return true;
}

inline std::string Number(uint64_t n) {
  std::string key;
  wire::PutFixed64BE(n, &key);
  return key;
}
// The number a key (or value) of Number holds; false when it is not 8 bytes.
inline bool ParseNumber(std::string_view bytes, uint64_t* n) {
  if (bytes.size() != 8) return false;
  *n = wire::GetFixed64BE(bytes.data());
  return true;
}

inline std::string Change(uint64_t seq) { return Number(seq); }
inline std::string User(uint64_t id) { return Number(id); }
inline std::string KeyId(uint64_t id) { return Number(id); }
// Emails, key hashes and node ids are their tables' keys as they are.

// Names in Table::kMeta.
inline constexpr std::string_view kLastSeq = "last_seq";
inline constexpr std::string_view kNextUserId = "next_user_id";
inline constexpr std::string_view kNextKeyId = "next_key_id";
inline constexpr std::string_view kNextTeam = "next_team";  // the next shared team number
inline constexpr std::string_view kSchemaVersion = "schema_version";
// The first week with 'w' rows (store/team_weeks.h).
inline constexpr std::string_view kAnalyticsTeamWeeksFrom = "analytics_team_weeks_from";

}  // namespace shortlink::admin::dbkey
