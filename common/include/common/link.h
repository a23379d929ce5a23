// The link model shared by admin-api (which owns it) and the redirector
// (which serves it), and its binary encoding.
//
// Encoding: a sequence of fields, each `tag (1 byte) | varint length | bytes`.
// Unknown tags are skipped when decoding, so a newer admin-api can add fields
// (link rules) without breaking older nodes, and records stay compact.
#pragma once

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

  bool operator==(const Link&) const = default;
};

// What an edge node serves of a link: views into an encoded record.
struct ServedLink {
  std::string_view code;
  std::string_view long_url;
  LinkState state = LinkState::kActive;
  bool has_rules = false;   // the record holds rule fields: decode it whole (DecodeLink)
  std::string_view record;  // the whole encoded record
};

// Appends the encoding of `link` to `out`.
void EncodeLink(const Link& link, std::string* out);
// Parses a whole record; rejects truncated or malformed input.
Result<Link> DecodeLink(std::string_view bytes);
// The same checks, without copying: for loading millions of records.
Result<ServedLink> DecodeServedLink(std::string_view bytes);

}  // namespace shortlink
