// Campaign: a named group of a team's links (issue 19, Shorten World's
// campaigns), its stored encoding, and the rules of its name.
//
// Ids are numbers from 1, counted by the database and never reused (a
// deleted campaign's id never comes back): a link names its campaign in
// 1-3 bytes of its record (a varint; a UUID would take 17), the list filter
// compares integers, and a number alone names one campaign across teams.
// Another team's ids tell nothing: they answer 404 exactly like missing ones.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace shortlink::admin {

struct Campaign {
  uint64_t id = 0;
  uint64_t team = 0;
  std::string name;  // 1-100 characters, unique in its team ignoring case
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;

  bool operator==(const Campaign&) const = default;
};

inline constexpr size_t kMaxCampaignNameChars = 100;

// 1-100 characters (UTF-8 code points; simdjson gave valid UTF-8), no
// control characters, not only spaces: 400 naming `name` otherwise.
Status CheckCampaignName(std::string_view name);

// The form names are compared in for uniqueness and search: ASCII letters
// lowercased (other bytes as they are).
std::string FoldCampaignName(std::string_view name);

// Tagged fields (common/wire.h), so a later field is skipped by this reader.
// The id is the record's key, not in the value.
void EncodeCampaign(const Campaign& campaign, std::string* out);
Result<Campaign> DecodeCampaign(uint64_t id, std::string_view bytes);

}  // namespace shortlink::admin
