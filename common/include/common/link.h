// The link model shared by admin-api (which owns it) and the redirector
// (which serves it), and its binary encoding.
//
// Encoding: a sequence of fields, each `tag (1 byte) | varint length | bytes`.
// Unknown tags are skipped when decoding, so a newer admin-api can add fields
// (link rules) without breaking older nodes, and records stay compact.
//
// Identity: a link is identified by (domain, code). The domain is a
// lowercase host name (common/validation.h, NormalizeDomain); the empty
// string is the default domain, the host of --public-url, on which every
// link made before custom domains lives. The domain's tag is written only
// when it is not empty, so a default-domain record is byte for byte what it
// was before domains existed: old records, changes and snapshots decode
// unchanged (to domain ""), and a node that predates domains reads every
// default-domain record as it always did.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/link_rules.h"
#include "common/result.h"

namespace shortlink {

enum class LinkState : uint8_t { kActive = 0, kInactive = 1 };

std::string_view LinkStateName(LinkState state);               // "ACTIVE" / "INACTIVE"
bool ParseLinkState(std::string_view text, LinkState* state);  // exact match only

struct Link {
  std::string code;      // the shortUrl, lowercase
  std::string long_url;  // the target
  LinkState state = LinkState::kActive;
  uint64_t owner = 0;         // user id
  uint64_t clicks = 0;        // exact total, as applied by admin-api
  int64_t created_at_ms = 0;  // Unix epoch, milliseconds
  int64_t updated_at_ms = 0;
  bool is_file = false;
  // Metadata for the owner's lists; nodes carry but never use them.
  std::string title;
  std::vector<std::string> tags;
  bool hidden = false;  // left out of lists unless asked for
  LinkRules rules;      // what the edge evaluates per visit
  // Last, so that code naming fields in order keeps compiling. Lowercase;
  // empty: the default domain.
  std::string domain;
  // The team's campaign the link belongs to (admin-api's campaigns/); 0:
  // none. Metadata like the title: nodes carry it and never use it.
  uint64_t campaign = 0;

  bool operator==(const Link&) const = default;
};

// A link's identity, as views: (domain, code), domain "" the default one.
// Ordered by domain, then code: the order of admin-api's link keys and so of
// its snapshot stream, which a node's replica keeps (EncodeLinkKey).
struct LinkKey {
  std::string_view domain;
  std::string_view code;

  bool operator==(const LinkKey&) const = default;
  auto operator<=>(const LinkKey&) const = default;
};
inline LinkKey KeyOf(const Link& link) { return {link.domain, link.code}; }

// A storage key for (domain, code): the domain, a 0x00 byte, the code.
// Neither holds 0x00, so the separator sorts before every code byte: keys
// order as LinkKey does, and one domain's keys are contiguous (the prefix
// domain + "\0"). The same layout as admin-api's link keys (store/db_keys.h).
void AppendLinkKey(LinkKey key, std::string* out);
std::string EncodeLinkKey(LinkKey key);
// Splits a key of EncodeLinkKey (views into `bytes`); false when there is
// no separator.
bool DecodeLinkKey(std::string_view bytes, LinkKey* key);

// What an edge node serves of a link: views into an encoded record.
struct ServedLink {
  std::string_view domain;  // empty: the default domain
  std::string_view code;
  std::string_view long_url;
  LinkState state = LinkState::kActive;
  bool has_rules = false;   // the record holds rule fields: decode it whole (DecodeLink)
  std::string_view record;  // the whole encoded record
};

// Appends the encoding of `link` to `out`.
void EncodeLink(const Link& link, std::string* out);
// Appends the rule fields of that encoding alone (nothing for LinkRules{}):
// the rules' canonical bytes (common/link_digest.h hashes them).
void EncodeLinkRules(const LinkRules& rules, std::string* out);
// Parses a whole record; rejects truncated or malformed input, and a domain
// that is not a lowercase host name (IsDomainName).
Result<Link> DecodeLink(std::string_view bytes);
// The same checks, without copying: for loading millions of records.
Result<ServedLink> DecodeServedLink(std::string_view bytes);

}  // namespace shortlink
