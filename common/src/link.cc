#include "common/link.h"

#include <cstdint>

#include "common/validation.h"
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
  // Metadata.
  kTitle = 9,
  kTag = 10,  // repeated, in order
  kHidden = 11,
  // Rules (kFirstRule..kLastRule): their presence sends a node to DecodeLink.
  kExpiresAt = 12,
  kExpiredUrl = 13,
  kMaxClicks = 14,
  kClickLimitUrl = 15,
  kClickType = 16,
  kUniqueWindow = 17,
  kPasswordHash = 18,
  kDeviceIos = 19,
  kDeviceAndroid = 20,
  kDeviceWindows = 21,
  kDeviceMobile = 22,
  kAbTarget = 23,  // repeated: varint percentage, then the URL
  kUtmSource = 24,
  kUtmMedium = 25,
  kUtmCampaign = 26,
  kUtmTerm = 27,
  kUtmContent = 28,
  kForwardQuery = 29,
  kRedirectType = 30,
  // Identity: written only for a domain other than the default one.
  kDomain = 31,
  // Metadata: written only when set, so a link without one encodes as
  // before; older decoders skip it as a field from a newer writer.
  kCampaign = 32,
  // Rules after kLastRule, each written only when set, so a link without
  // them encodes as before; an older node skips them and redirects plainly.
  kTracker = 33,         // repeated: varint provider, then the pixel id
  kTrackerConsent = 34,  // varint TrackerConsent, with trackers only
};
constexpr uint8_t kFirstRule = kExpiresAt, kLastRule = kRedirectType;
bool IsRuleTag(uint8_t tag) {
  return (tag >= kFirstRule && tag <= kLastRule) || tag == kTracker || tag == kTrackerConsent;
}

bool IsVarintTag(uint8_t tag) {
  switch (tag) {
    case kState:
    case kOwner:
    case kClicks:
    case kCreatedAt:
    case kUpdatedAt:
    case kIsFile:
    case kHidden:
    case kExpiresAt:
    case kMaxClicks:
    case kClickType:
    case kUniqueWindow:
    case kForwardQuery:
    case kRedirectType:
    case kCampaign:
    case kTrackerConsent:
      return true;
    default:
      return false;
  }
}

void PutOptional(uint8_t tag, const std::string& text, std::string* out) {
  if (!text.empty()) wire::PutField(tag, text, out);
}
void PutOptionalVarint(uint8_t tag, uint64_t value, std::string* out) {
  if (value != 0) wire::PutVarintField(tag, value, out);
}

}  // namespace

void EncodeLinkRules(const LinkRules& r, std::string* out) {
  PutOptionalVarint(kExpiresAt, static_cast<uint64_t>(r.expires_at_ms), out);
  PutOptional(kExpiredUrl, r.expired_url, out);
  PutOptionalVarint(kMaxClicks, r.max_clicks, out);
  PutOptional(kClickLimitUrl, r.click_limit_url, out);
  PutOptionalVarint(kClickType, static_cast<uint64_t>(r.click_type), out);
  PutOptionalVarint(kUniqueWindow, r.unique_window_minutes, out);
  PutOptional(kPasswordHash, r.password_hash, out);
  PutOptional(kDeviceIos, r.devices.ios, out);
  PutOptional(kDeviceAndroid, r.devices.android, out);
  PutOptional(kDeviceWindows, r.devices.windows, out);
  PutOptional(kDeviceMobile, r.devices.mobile, out);
  for (const AbTarget& t : r.ab_targets) {
    std::string nested;
    wire::PutVarint(t.percentage, &nested);
    nested += t.url;
    wire::PutField(kAbTarget, nested, out);
  }
  PutOptional(kUtmSource, r.utm.source, out);
  PutOptional(kUtmMedium, r.utm.medium, out);
  PutOptional(kUtmCampaign, r.utm.campaign, out);
  PutOptional(kUtmTerm, r.utm.term, out);
  PutOptional(kUtmContent, r.utm.content, out);
  PutOptionalVarint(kForwardQuery, r.forward_query ? 1 : 0, out);
  PutOptionalVarint(kRedirectType, r.redirect_type, out);
  for (const LinkTracker& t : r.trackers) {
    std::string nested;
    wire::PutVarint(static_cast<uint64_t>(t.provider), &nested);
    nested += t.pixel_id;
    wire::PutField(kTracker, nested, out);
  }
  if (!r.trackers.empty())
    PutOptionalVarint(kTrackerConsent, static_cast<uint64_t>(r.tracker_consent), out);
}

std::string_view ClickTypeName(ClickType type) {
  return type == ClickType::kUnique ? "UNIQUE" : "ALL";
}

bool ParseClickType(std::string_view text, ClickType* type) {
  if (text == "ALL") {
    *type = ClickType::kAll;
    return true;
  }
  if (text == "UNIQUE") {
    *type = ClickType::kUnique;
    return true;
  }
  return false;
}

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

void AppendLinkKey(LinkKey key, std::string* out) {
  out->append(key.domain);
  out->push_back('\0');
  out->append(key.code);
}

std::string EncodeLinkKey(LinkKey key) {
  std::string out;
  out.reserve(key.domain.size() + 1 + key.code.size());
  AppendLinkKey(key, &out);
  return out;
}

bool DecodeLinkKey(std::string_view bytes, LinkKey* key) {
  size_t separator = bytes.find('\0');
  if (separator == std::string_view::npos) return false;
  key->domain = bytes.substr(0, separator);
  key->code = bytes.substr(separator + 1);
  return true;
}

void EncodeLink(const Link& link, std::string* out) {
  wire::PutField(kCode, link.code, out);
  PutOptional(kDomain, link.domain, out);  // absent for the default domain: old bytes unchanged
  wire::PutField(kLongUrl, link.long_url, out);
  wire::PutVarintField(kState, static_cast<uint64_t>(link.state), out);
  wire::PutVarintField(kOwner, link.owner, out);
  wire::PutVarintField(kClicks, link.clicks, out);
  wire::PutVarintField(kCreatedAt, static_cast<uint64_t>(link.created_at_ms), out);
  wire::PutVarintField(kUpdatedAt, static_cast<uint64_t>(link.updated_at_ms), out);
  if (link.is_file) wire::PutVarintField(kIsFile, 1, out);
  PutOptional(kTitle, link.title, out);
  for (const std::string& tag : link.tags) wire::PutField(kTag, tag, out);
  PutOptionalVarint(kHidden, link.hidden ? 1 : 0, out);
  EncodeLinkRules(link.rules, out);
  PutOptionalVarint(kCampaign, link.campaign, out);
}

namespace {

Status Malformed(const char* what) { return MakeError(ErrorCode::kInvalidArgument, what); }

// Fills one rule or metadata field of `link`.
Status DecodeExtraField(uint8_t tag, std::string_view field, uint64_t n, Link* link) {
  LinkRules& r = link->rules;
  switch (tag) {
    case kTitle:
      link->title.assign(field);
      break;
    case kTag:
      link->tags.emplace_back(field);
      break;
    case kHidden:
      link->hidden = n != 0;
      break;
    case kCampaign:
      link->campaign = n;
      break;
    case kExpiresAt:
      if (n > static_cast<uint64_t>(INT64_MAX)) return Malformed("bad expiry in link record");
      r.expires_at_ms = static_cast<int64_t>(n);
      break;
    case kExpiredUrl:
      r.expired_url.assign(field);
      break;
    case kMaxClicks:
      r.max_clicks = n;
      break;
    case kClickLimitUrl:
      r.click_limit_url.assign(field);
      break;
    case kClickType:
      if (n > 1) return Malformed("bad click type in link record");
      r.click_type = static_cast<ClickType>(n);
      break;
    case kUniqueWindow:
      if (n > kMaxUniqueWindowMinutes) return Malformed("bad unique window in link record");
      r.unique_window_minutes = static_cast<uint32_t>(n);
      break;
    case kPasswordHash:
      r.password_hash.assign(field);
      break;
    case kDeviceIos:
      r.devices.ios.assign(field);
      break;
    case kDeviceAndroid:
      r.devices.android.assign(field);
      break;
    case kDeviceWindows:
      r.devices.windows.assign(field);
      break;
    case kDeviceMobile:
      r.devices.mobile.assign(field);
      break;
    case kAbTarget: {
      wire::Reader nested(field);
      uint64_t percentage = 0;
      if (!nested.ReadVarint(&percentage) || percentage > 100)
        return Malformed("bad A/B target in link record");
      r.ab_targets.push_back({std::string(nested.rest()), static_cast<uint32_t>(percentage)});
      break;
    }
    case kUtmSource:
      r.utm.source.assign(field);
      break;
    case kUtmMedium:
      r.utm.medium.assign(field);
      break;
    case kUtmCampaign:
      r.utm.campaign.assign(field);
      break;
    case kUtmTerm:
      r.utm.term.assign(field);
      break;
    case kUtmContent:
      r.utm.content.assign(field);
      break;
    case kForwardQuery:
      r.forward_query = n != 0;
      break;
    case kRedirectType:
      if (n != 301 && n != 302 && n != 307 && n != 308)
        return Malformed("bad redirect type in link record");
      r.redirect_type = static_cast<uint16_t>(n);
      break;
    case kTracker: {
      // Checked as admin-api checks it: a node renders the id into a page.
      wire::Reader nested(field);
      uint64_t provider = 0;
      if (!nested.ReadVarint(&provider) || !IsTrackerProvider(provider) ||
          !IsValidPixelId(static_cast<TrackerProvider>(provider), nested.rest()) ||
          r.trackers.size() >= kMaxLinkTrackers)
        return Malformed("bad tracker in link record");
      r.trackers.push_back({static_cast<TrackerProvider>(provider), std::string(nested.rest())});
      break;
    }
    case kTrackerConsent:
      if (n > static_cast<uint64_t>(TrackerConsent::kAlways))
        return Malformed("bad tracker consent in link record");
      r.tracker_consent = static_cast<TrackerConsent>(n);
      break;
    default:
      break;  // a field from a newer writer: skip it
  }
  return Status::Ok();
}

// Walks a record's fields into `served` (views into `bytes`) and, when
// `link` is given, every other field into it.
Status DecodeFields(std::string_view bytes, ServedLink* served, Link* link) {
  bool has_code = false, has_url = false;
  wire::Reader reader(bytes);
  while (!reader.done()) {
    uint8_t tag = 0;
    std::string_view field;
    if (!reader.ReadField(&tag, &field)) return Malformed("truncated link record");
    uint64_t n = 0;
    if (IsVarintTag(tag) && !wire::ParseVarint(field, &n))
      return Malformed("bad integer field in link record");
    if (IsRuleTag(tag)) served->has_rules = true;
    switch (tag) {
      case kCode:
        served->code = field;
        has_code = true;
        break;
      case kLongUrl:
        served->long_url = field;
        has_url = true;
        break;
      case kDomain:
        // Checked here, where nodes read it: a domain that no Host header
        // can match would make a link unreachable without anyone noticing.
        if (!IsDomainName(field)) return Malformed("bad domain in link record");
        served->domain = field;
        break;
      case kState:
        if (n > 1) return Malformed("bad link state");
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
        if (link) {
          Status s = DecodeExtraField(tag, field, n, link);
          if (!s.ok()) return s;
        }
        break;
    }
  }
  if (!has_code || !has_url) return Malformed("link record lacks code or URL");
  return Status::Ok();
}

}  // namespace

Result<Link> DecodeLink(std::string_view bytes) {
  Link link;
  ServedLink served;
  Status s = DecodeFields(bytes, &served, &link);
  if (!s.ok()) return s.error();
  link.code.assign(served.code);
  link.domain.assign(served.domain);
  link.long_url.assign(served.long_url);
  link.state = served.state;
  // Consent is written only beside trackers (EncodeLinkRules); a record
  // that has it alone decodes as if it were absent, so that decoding and
  // encoding agree.
  if (link.rules.trackers.empty()) link.rules.tracker_consent = TrackerConsent::kNone;
  return link;
}

Result<ServedLink> DecodeServedLink(std::string_view bytes) {
  ServedLink served;
  served.record = bytes;
  Status s = DecodeFields(bytes, &served, nullptr);
  if (!s.ok()) return s.error();
  return served;
}

}  // namespace shortlink
