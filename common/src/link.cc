#include "common/link.h"

#include "common/wire.h"

namespace shortlink {
namespace {

// Field tags. Never reuse a number: old records and old nodes rely on them.
enum Tag : uint8_t {
  kCode = 1,
  kLongUrl = 2,
  kState = 3,
  kOwner = 4,
  kClicks = 5,
  kCreatedAt = 6,
  kUpdatedAt = 7,
  kIsFile = 8,
};

}  // namespace

std::string_view LinkStateName(LinkState state) {
  return state == LinkState::kActive ? "ACTIVE" : "INACTIVE";
}

bool ParseLinkState(std::string_view text, LinkState* state) {
  if (text == "ACTIVE") {
    *state = LinkState::kActive;
    return true;
  }
  if (text == "INACTIVE") {
    *state = LinkState::kInactive;
    return true;
  }
  return false;
}

void EncodeLink(const Link& link, std::string* out) {
  wire::PutField(kCode, link.code, out);
  wire::PutField(kLongUrl, link.long_url, out);
  wire::PutVarintField(kState, static_cast<uint64_t>(link.state), out);
  wire::PutVarintField(kOwner, link.owner, out);
  wire::PutVarintField(kClicks, link.clicks, out);
  wire::PutVarintField(kCreatedAt, static_cast<uint64_t>(link.created_at_ms), out);
  wire::PutVarintField(kUpdatedAt, static_cast<uint64_t>(link.updated_at_ms), out);
  if (link.is_file) wire::PutVarintField(kIsFile, 1, out);
}

namespace {

// Walks a record's fields into `link`, strings as views into `bytes`.
Status DecodeFields(std::string_view bytes, ServedLink* served, Link* link) {
  bool has_code = false, has_url = false;
  wire::Reader reader(bytes);
  while (!reader.done()) {
    uint8_t tag = 0;
    std::string_view field;
    if (!reader.ReadField(&tag, &field))
      return MakeError(ErrorCode::kInvalidArgument, "truncated link record");
    uint64_t n = 0;
    bool is_varint_tag = tag >= kState && tag <= kIsFile;
    if (is_varint_tag && !wire::ParseVarint(field, &n)) {
      return MakeError(ErrorCode::kInvalidArgument, "bad integer field in link record");
    }
    switch (tag) {
      case kCode:
        served->code = field;
        has_code = true;
        break;
      case kLongUrl:
        served->long_url = field;
        has_url = true;
        break;
      case kState:
        if (n > 1) return MakeError(ErrorCode::kInvalidArgument, "bad link state");
        served->state = static_cast<LinkState>(n);
        break;
      case kOwner:
        if (link) link->owner = n;
        break;
      case kClicks:
        if (link) link->clicks = n;
        break;
      case kCreatedAt:
        if (link) link->created_at_ms = static_cast<int64_t>(n);
        break;
      case kUpdatedAt:
        if (link) link->updated_at_ms = static_cast<int64_t>(n);
        break;
      case kIsFile:
        if (link) link->is_file = n != 0;
        break;
      default:
        break;  // a field from a newer writer: skip it
    }
  }
  if (!has_code || !has_url)
    return MakeError(ErrorCode::kInvalidArgument, "link record lacks code or URL");
  return Status::Ok();
}

}  // namespace

Result<Link> DecodeLink(std::string_view bytes) {
  Link link;
  ServedLink served;
  Status s = DecodeFields(bytes, &served, &link);
  if (!s.ok()) return s.error();
  link.code.assign(served.code);
  link.long_url.assign(served.long_url);
  link.state = served.state;
  return link;
}

Result<ServedLink> DecodeServedLink(std::string_view bytes) {
  ServedLink served;
  Status s = DecodeFields(bytes, &served, nullptr);
  if (!s.ok()) return s.error();
  return served;
}

}  // namespace shortlink
