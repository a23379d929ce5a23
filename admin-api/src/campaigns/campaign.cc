#include "campaigns/campaign.h"

#include "common/wire.h"

namespace shortlink::admin {
namespace {

// Field tags. Never reuse a number: stored records rely on them.
enum Tag : uint8_t {
  kTeam = 1,
  kName = 2,
  kCreatedAt = 3,
  kUpdatedAt = 4,
};

}  // namespace

Status CheckCampaignName(std::string_view name) {
  size_t chars = 0;
  bool visible = false;
  for (char c : name) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f)
      return MakeError(ErrorCode::kInvalidArgument, "name must not hold control characters.");
    if ((byte & 0xC0) != 0x80) ++chars;  // not a continuation byte: a code point starts
    if (byte != ' ') visible = true;
  }
  if (!visible || chars > kMaxCampaignNameChars) {
    return MakeError(ErrorCode::kInvalidArgument, "name must be from 1 to " +
                                                      std::to_string(kMaxCampaignNameChars) +
                                                      " characters, not only spaces.");
  }
  return Status::Ok();
}

std::string FoldCampaignName(std::string_view name) {
  std::string folded(name);
  for (char& c : folded)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return folded;
}

void EncodeCampaign(const Campaign& c, std::string* out) {
  wire::PutVarintField(kTeam, c.team, out);
  wire::PutField(kName, c.name, out);
  wire::PutVarintField(kCreatedAt, static_cast<uint64_t>(c.created_at_ms), out);
  wire::PutVarintField(kUpdatedAt, static_cast<uint64_t>(c.updated_at_ms), out);
}

Result<Campaign> DecodeCampaign(uint64_t id, std::string_view bytes) {
  Campaign c;
  c.id = id;
  bool has_team = false, has_name = false;
  wire::Reader reader(bytes);
  while (!reader.done()) {
    uint8_t tag = 0;
    std::string_view field;
    if (!reader.ReadField(&tag, &field))
      return MakeError(ErrorCode::kInternal, "truncated campaign record");
    uint64_t n = 0;
    bool varint = tag == kTeam || tag == kCreatedAt || tag == kUpdatedAt;
    if (varint && !wire::ParseVarint(field, &n))
      return MakeError(ErrorCode::kInternal, "bad integer in campaign record");
    switch (tag) {
      case kTeam:
        c.team = n;
        has_team = true;
        break;
      case kName:
        c.name.assign(field);
        has_name = true;
        break;
      case kCreatedAt:
        c.created_at_ms = static_cast<int64_t>(n);
        break;
      case kUpdatedAt:
        c.updated_at_ms = static_cast<int64_t>(n);
        break;
      default:
        break;  // a field from a newer writer
    }
  }
  if (!has_team || !has_name)
    return MakeError(ErrorCode::kInternal, "campaign record lacks team or name");
  return c;
}

}  // namespace shortlink::admin
