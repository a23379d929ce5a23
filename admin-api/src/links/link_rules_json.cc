#include "links/link_rules_json.h"

#include <array>
#include <boost/json.hpp>
#include <string_view>

#include "common/clock.h"
#include "common/password.h"
#include "http/iso8601.h"

namespace shortlink::admin {
namespace {

using simdjson::dom::element;

// The keys of deviceTargets and utm, in the order answers list them.
struct DeviceKey {
  std::string_view name;
  std::string DeviceTargets::*member;
};
constexpr std::array<DeviceKey, 4> kDeviceKeys = {{
    {"ios", &DeviceTargets::ios},
    {"android", &DeviceTargets::android},
    {"windows", &DeviceTargets::windows},
    {"mobile", &DeviceTargets::mobile},
}};

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::optional<element> Field(const simdjson::dom::object& obj, std::string_view name) {
  element value;
  if (obj.at_key(name).get(value)) return std::nullopt;
  return value;
}

// Control characters would reach lists, HTML pages and (for utm) query
// strings; the index also uses \x01 and \x02 as separators (link_index.cc).
bool HasControl(std::string_view text) {
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// A string of min..max bytes without control characters.
Status ReadText(element value, const std::string& name, size_t min, size_t max, std::string* out) {
  std::string_view text;
  if (value.get(text)) return Invalid(name + " must be a string.");
  if (text.size() < min || text.size() > max) {
    return Invalid(name +
                   (min ? " must be from " + std::to_string(min) + " to " : " must be at most ") +
                   std::to_string(max) + " bytes.");
  }
  if (HasControl(text)) return Invalid(name + " must not contain control characters.");
  // simdjson checked the document's bytes and decodes \u escapes itself;
  // one more look at these few bytes is cheap insurance that every answer
  // holding them stays valid JSON.
  if (!simdjson::validate_utf8(text.data(), text.size()))
    return Invalid(name + " must be valid UTF-8.");
  out->assign(text);
  return Status::Ok();
}

// A target URL, held to longUrl's rules; the message names this field.
Status ReadUrl(element value, const std::string& name, const UrlPolicy& policy, std::string* out) {
  std::string_view url;
  if (value.get(url)) return Invalid(name + " must be a string.");
  Status valid = ValidateLongUrl(url, policy);
  if (!valid.ok()) {
    std::string message = valid.error().message;
    constexpr std::string_view kLongUrl = "longUrl";
    if (message.starts_with(kLongUrl)) message.replace(0, kLongUrl.size(), name);
    return Invalid(std::move(message));
  }
  out->assign(url);
  return Status::Ok();
}

Status ReadBool(element value, const std::string& name, bool* out) {
  if (value.get(*out)) return Invalid(name + " must be true or false.");
  return Status::Ok();
}

// A JSON integer (not 5.0, not "5") in min..max.
Status ReadWhole(element value, const std::string& name, int64_t min, int64_t max, int64_t* out) {
  int64_t n = 0;
  if (value.get_int64().get(n) || n < min || n > max) {
    return Invalid(name + " must be a whole number from " + std::to_string(min) + " to " +
                   std::to_string(max) + ".");
  }
  *out = n;
  return Status::Ok();
}

// A campaign id as a number or as its decimal digits in a string.
bool ParseCampaignId(element value, uint64_t* id) {
  int64_t n = 0;
  std::string_view text;
  if (!value.get_int64().get(n)) {
    if (n < 1) return false;
    *id = static_cast<uint64_t>(n);
    return true;
  }
  if (value.get(text) || text.empty() || text.size() > 19) return false;
  uint64_t parsed = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    parsed = parsed * 10 + static_cast<uint64_t>(c - '0');
  }
  if (parsed == 0) return false;
  *id = parsed;
  return true;
}

bool SameTagIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

Result<std::vector<std::string>> ParseTags(element value) {
  std::vector<std::string> tags;
  if (value.is_null()) return tags;
  simdjson::dom::array array;
  if (value.get(array) || array.size() > kMaxTags)
    return Invalid("tags must be an array of at most " + std::to_string(kMaxTags) + " strings.");
  size_t i = 0;
  for (element item : array) {
    std::string tag;
    Status s = ReadText(item, "tags[" + std::to_string(i++) + "]", 1, kMaxTagBytes, &tag);
    if (!s.ok()) return s.error();
    bool seen = false;
    for (const std::string& t : tags) seen = seen || SameTagIgnoringCase(t, tag);
    if (!seen) tags.push_back(std::move(tag));
  }
  return tags;
}

Result<DeviceTargets> ParseDeviceTargets(element value, const UrlPolicy& policy) {
  DeviceTargets devices;
  if (value.is_null()) return devices;
  simdjson::dom::object obj;
  if (value.get(obj))
    return Invalid("deviceTargets must be an object of ios, android, windows and mobile URLs.");
  for (auto [key, target] : obj) {
    const DeviceKey* known = nullptr;
    for (const DeviceKey& k : kDeviceKeys)
      if (k.name == key) known = &k;
    // The key is not quoted back: it may be a megabyte long.
    if (!known) return Invalid("deviceTargets may only hold ios, android, windows and mobile.");
    if (target.is_null()) continue;
    Status s = ReadUrl(target, "deviceTargets." + std::string(known->name), policy,
                       &(devices.*known->member));
    if (!s.ok()) return s.error();
  }
  return devices;
}

Result<std::vector<AbTarget>> ParseAbTargets(element value, const UrlPolicy& policy) {
  std::vector<AbTarget> targets;
  if (value.is_null()) return targets;
  simdjson::dom::array array;
  if (value.get(array) || array.size() > kMaxAbTargets) {
    return Invalid("abTargets must be an array of at most " + std::to_string(kMaxAbTargets) +
                   " {url, percentage} objects.");
  }
  uint64_t sum = 0;
  for (element item : array) {
    std::string name = "abTargets[" + std::to_string(targets.size()) + "]";
    simdjson::dom::object obj;
    if (item.get(obj)) return Invalid(name + " must be an object {url, percentage}.");
    AbTarget target;
    bool has_url = false, has_percentage = false;
    for (auto [key, field] : obj) {
      if (key == "url") {
        Status s = ReadUrl(field, name + ".url", policy, &target.url);
        if (!s.ok()) return s.error();
        has_url = true;
      } else if (key == "percentage") {
        int64_t percentage = 0;
        Status s = ReadWhole(field, name + ".percentage", 1, 100, &percentage);
        if (!s.ok()) return s.error();
        target.percentage = static_cast<uint32_t>(percentage);
        has_percentage = true;
      } else {
        return Invalid(name + " may only hold url and percentage.");
      }
    }
    if (!has_url || !has_percentage) return Invalid(name + " needs both url and percentage.");
    sum += target.percentage;
    targets.push_back(std::move(target));
  }
  if (!targets.empty() && sum != 100)
    return Invalid("abTargets percentages must sum to 100 (they sum to " + std::to_string(sum) +
                   ").");
  return targets;
}

Result<UtmParameters> ParseUtm(element value) {
  UtmParameters utm;
  if (value.is_null()) return utm;
  simdjson::dom::object obj;
  if (value.get(obj))
    return Invalid("utm must be an object of source, medium, campaign, term and content.");
  for (auto [key, text] : obj) {
    const UtmField* known = nullptr;
    for (const UtmField& k : kUtmFields)
      if (k.name == key) known = &k;
    if (!known) return Invalid("utm may only hold source, medium, campaign, term and content.");
    if (text.is_null()) continue;
    Status s =
        ReadText(text, "utm." + std::string(known->name), 1, kMaxUtmBytes, &(utm.*known->member));
    if (!s.ok()) return s.error();
  }
  return utm;
}

Result<std::vector<PatchTracker>> ParseTrackers(element value) {
  std::vector<PatchTracker> trackers;
  if (value.is_null()) return trackers;
  simdjson::dom::array array;
  if (value.get(array) || array.size() > kMaxLinkTrackers) {
    return Invalid("trackers must be an array of at most " + std::to_string(kMaxLinkTrackers) +
                   " {provider, pixelId} or {teamTrackerId} objects.");
  }
  for (element item : array) {
    auto tracker = ParseTrackerObject(item, "trackers[" + std::to_string(trackers.size()) + "]");
    if (!tracker.ok()) return tracker.error();
    trackers.push_back(std::move(tracker).value());
  }
  return trackers;
}

}  // namespace

Result<PatchTracker> ParseTrackerObject(const element& value, const std::string& name) {
  simdjson::dom::object obj;
  if (value.get(obj))
    return Invalid(name + " must be an object {provider, pixelId} or {teamTrackerId}.");
  PatchTracker t;
  std::string_view provider, pixel_id;
  bool has_provider = false, has_pixel = false, has_team = false;
  for (auto [key, field] : obj) {
    if (key == "provider") {
      if (field.get_string().get(provider) || !ParseTrackerProvider(provider, &t.tracker.provider))
        return Invalid(name +
                       ".provider must be one of facebook, google-analytics, gtm, linkedin, "
                       "twitter, pinterest, quora, adwords, segment (GET "
                       "/api/v1/trackers/providers).");
      has_provider = true;
    } else if (key == "pixelId") {
      if (field.get_string().get(pixel_id)) return Invalid(name + ".pixelId must be a string.");
      has_pixel = true;
    } else if (key == "teamTrackerId") {
      if (!ParseCampaignId(field, &t.team_tracker) || t.team_tracker == 0)
        return Invalid(name +
                       ".teamTrackerId must be a team tracker's id (a whole number from 1).");
      has_team = true;
    } else {
      return Invalid(name + " may only hold provider and pixelId, or teamTrackerId.");
    }
  }
  if (has_team) {
    if (has_provider || has_pixel)
      return Invalid(name + " holds either teamTrackerId or provider and pixelId, not both.");
    return t;
  }
  if (!has_provider || !has_pixel) return Invalid(name + " needs both provider and pixelId.");
  // The id is not quoted back: it is what failed, and may hold anything.
  if (!IsValidPixelId(t.tracker.provider, pixel_id))
    return Invalid(name + ".pixelId is not a " +
                   std::string(TrackerProviderName(t.tracker.provider)) + " " +
                   std::string(TrackerIdLabel(t.tracker.provider)) + " (like " +
                   std::string(TrackerIdExample(t.tracker.provider)) + ").");
  t.tracker.pixel_id.assign(pixel_id);
  return t;
}

boost::json::object TrackerToJson(const LinkTracker& tracker) {
  return {{"provider", TrackerProviderName(tracker.provider)}, {"pixelId", tracker.pixel_id}};
}

Result<LinkPatch> ParseLinkPatch(const simdjson::dom::object& obj, const UrlPolicy& policy) {
  LinkPatch p;
  if (auto v = Field(obj, "title")) {
    std::string title;
    if (!v->is_null()) {
      Status s = ReadText(*v, "title", 0, kMaxTitleBytes, &title);
      if (!s.ok()) return s.error();
    }
    p.title = std::move(title);
  }
  if (auto v = Field(obj, "tags")) {
    auto tags = ParseTags(*v);
    if (!tags.ok()) return tags.error();
    p.tags = std::move(tags).value();
  }
  if (auto v = Field(obj, "hidden")) {
    bool hidden = false;
    if (!v->is_null()) {
      Status s = ReadBool(*v, "hidden", &hidden);
      if (!s.ok()) return s.error();
    }
    p.hidden = hidden;
  }
  if (auto v = Field(obj, "expiresAt")) {
    int64_t at = 0;
    if (!v->is_null()) {
      std::string_view text;
      // 0 means "never" in the link record, so the epoch itself and
      // earlier instants are refused rather than silently ignored.
      if (v->get(text) || !ParseIso8601Utc(text, &at) || at <= 0) {
        return Invalid(
            "expiresAt must be an ISO-8601 UTC time after 1970, like 2030-01-31T00:00:00Z.");
      }
    }
    p.expires_at_ms = at;
  }
  if (auto v = Field(obj, "expiredUrl")) {
    std::string url;
    if (!v->is_null()) {
      Status s = ReadUrl(*v, "expiredUrl", policy, &url);
      if (!s.ok()) return s.error();
    }
    p.expired_url = std::move(url);
  }
  if (auto v = Field(obj, "maxClicks")) {
    int64_t max = 0;
    if (!v->is_null()) {
      Status s = ReadWhole(*v, "maxClicks", 1, static_cast<int64_t>(kMaxMaxClicks), &max);
      if (!s.ok()) return s.error();
    }
    p.max_clicks = static_cast<uint64_t>(max);
  }
  if (auto v = Field(obj, "clickLimitUrl")) {
    std::string url;
    if (!v->is_null()) {
      Status s = ReadUrl(*v, "clickLimitUrl", policy, &url);
      if (!s.ok()) return s.error();
    }
    p.click_limit_url = std::move(url);
  }
  if (auto v = Field(obj, "clickType")) {
    ClickType type = ClickType::kAll;
    std::string_view text;
    if (!v->is_null() && (v->get(text) || !ParseClickType(text, &type)))
      return Invalid("clickType must be ALL or UNIQUE.");
    p.click_type = type;
  }
  if (auto v = Field(obj, "uniqueWindowMinutes")) {
    int64_t minutes = 0;
    if (!v->is_null()) {
      Status s = ReadWhole(*v, "uniqueWindowMinutes", 1, kMaxUniqueWindowMinutes, &minutes);
      if (!s.ok()) return s.error();
    }
    p.unique_window_minutes = static_cast<uint32_t>(minutes);
  }
  if (auto v = Field(obj, "password")) {
    std::string_view password;
    if (!v->is_null()) {
      // Any bytes are allowed (it is never shown), only not too many: each
      // one costs hashing time.
      if (v->get(password) || password.size() > kMaxPasswordBytes) {
        return Invalid("password must be a string of at most " + std::to_string(kMaxPasswordBytes) +
                       " bytes.");
      }
    }
    p.password = std::string(password);
  }
  if (auto v = Field(obj, "deviceTargets")) {
    auto devices = ParseDeviceTargets(*v, policy);
    if (!devices.ok()) return devices.error();
    p.devices = std::move(devices).value();
  }
  if (auto v = Field(obj, "abTargets")) {
    auto targets = ParseAbTargets(*v, policy);
    if (!targets.ok()) return targets.error();
    p.ab_targets = std::move(targets).value();
  }
  if (auto v = Field(obj, "utm")) {
    auto utm = ParseUtm(*v);
    if (!utm.ok()) return utm.error();
    p.utm = std::move(utm).value();
  }
  if (auto v = Field(obj, "forwardQuery")) {
    bool forward = false;
    if (!v->is_null()) {
      Status s = ReadBool(*v, "forwardQuery", &forward);
      if (!s.ok()) return s.error();
    }
    p.forward_query = forward;
  }
  if (auto v = Field(obj, "redirectType")) {
    int64_t type = 0;
    if (!v->is_null() &&
        (v->get_int64().get(type) || (type != 301 && type != 302 && type != 307 && type != 308)))
      return Invalid("redirectType must be 301, 302, 307 or 308.");
    p.redirect_type = static_cast<uint16_t>(type);
  }
  if (auto v = Field(obj, "campaignId")) {
    uint64_t id = 0;
    if (!v->is_null() && !ParseCampaignId(*v, &id))
      return Invalid("campaignId must be a campaign's id (a whole number from 1), or null.");
    p.campaign = id;
  }
  if (auto v = Field(obj, "trackers")) {
    auto trackers = ParseTrackers(*v);
    if (!trackers.ok()) return trackers.error();
    p.trackers = std::move(trackers).value();
  }
  return p;
}

void AppendLinkFieldsJson(const Link& link, boost::json::object* out) {
  boost::json::object& o = *out;
  const LinkRules& r = link.rules;
  if (!link.title.empty()) o["title"] = link.title;
  if (!link.tags.empty()) {
    boost::json::array tags;
    for (const std::string& t : link.tags) tags.emplace_back(t);
    o["tags"] = std::move(tags);
  }
  if (link.hidden) o["hidden"] = true;
  if (r.expires_at_ms != 0) o["expiresAt"] = FormatIso8601Millis(r.expires_at_ms);
  if (!r.expired_url.empty()) o["expiredUrl"] = r.expired_url;
  if (r.max_clicks != 0) o["maxClicks"] = r.max_clicks;
  if (!r.click_limit_url.empty()) o["clickLimitUrl"] = r.click_limit_url;
  if (r.click_type != ClickType::kAll) o["clickType"] = ClickTypeName(r.click_type);
  if (r.unique_window_minutes != 0) o["uniqueWindowMinutes"] = r.unique_window_minutes;
  if (!r.password_hash.empty()) o["passwordProtected"] = true;
  if (!r.devices.empty()) {
    boost::json::object devices;
    for (const DeviceKey& k : kDeviceKeys)
      if (!(r.devices.*k.member).empty()) devices[k.name] = r.devices.*k.member;
    o["deviceTargets"] = std::move(devices);
  }
  if (!r.ab_targets.empty()) {
    boost::json::array targets;
    for (const AbTarget& t : r.ab_targets)
      targets.push_back(boost::json::object{{"url", t.url}, {"percentage", t.percentage}});
    o["abTargets"] = std::move(targets);
  }
  if (!r.utm.empty()) {
    boost::json::object utm;
    for (const UtmField& k : kUtmFields)
      if (!(r.utm.*k.member).empty()) utm[k.name] = r.utm.*k.member;
    o["utm"] = std::move(utm);
  }
  if (r.forward_query) o["forwardQuery"] = true;
  if (r.redirect_type != 0) o["redirectType"] = r.redirect_type;
  if (!r.trackers.empty()) {
    boost::json::array trackers;
    for (const LinkTracker& t : r.trackers) trackers.push_back(TrackerToJson(t));
    o["trackers"] = std::move(trackers);
    o["trackerConsent"] = TrackerConsentName(r.tracker_consent);
  }
}

}  // namespace shortlink::admin
