// Link rules: how a link may change its answer by date, by clicks, by
// password, by device and by experiment, and what it appends to the target.
// Set through admin-api, carried in the link record, evaluated by every
// redirector in process (redirector/src/rules/rule_engine.h).
//
// Every field is optional; a default-constructed LinkRules means "no rules",
// and such a link is served by the plain hot path.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/tracker.h"

namespace shortlink {

// What counts as a click of a link: every visit, or each visitor (client
// address + User-Agent) once per unique window.
enum class ClickType : uint8_t { kAll = 0, kUnique = 1 };

std::string_view ClickTypeName(ClickType type);               // "ALL" / "UNIQUE"
bool ParseClickType(std::string_view text, ClickType* type);  // exact match only

struct DeviceTargets {
  std::string ios;      // iPhone, iPad, iPod
  std::string android;  // Android phones and tablets
  std::string windows;  // Windows Phone
  std::string mobile;   // any other mobile device
  bool empty() const { return ios.empty() && android.empty() && windows.empty() && mobile.empty(); }
  bool operator==(const DeviceTargets&) const = default;
};

struct AbTarget {
  std::string url;
  uint32_t percentage = 0;  // 1-100; a link's targets sum to 100
  bool operator==(const AbTarget&) const = default;
};

struct UtmParameters {
  std::string source, medium, campaign, term, content;
  bool empty() const {
    return source.empty() && medium.empty() && campaign.empty() && term.empty() && content.empty();
  }
  bool operator==(const UtmParameters&) const = default;
};

// The five UTM parameters: their key in the API's "utm" object, their name
// in a target's query string, and where UtmParameters keeps them.
struct UtmField {
  std::string_view name;
  std::string_view query_name;
  std::string UtmParameters::*member;
};
inline constexpr std::array<UtmField, 5> kUtmFields = {{
    {"source", "utm_source", &UtmParameters::source},
    {"medium", "utm_medium", &UtmParameters::medium},
    {"campaign", "utm_campaign", &UtmParameters::campaign},
    {"term", "utm_term", &UtmParameters::term},
    {"content", "utm_content", &UtmParameters::content},
}};

inline constexpr uint32_t kDefaultUniqueWindowMinutes = 24 * 60;
inline constexpr uint32_t kMaxUniqueWindowMinutes = 366 * 24 * 60;

struct LinkRules {
  int64_t expires_at_ms = 0;    // 0: never expires
  std::string expired_url;      // where an expired link goes; empty: 410 Gone
  uint64_t max_clicks = 0;      // 0: no limit
  std::string click_limit_url;  // where a link past its limit goes; empty: 410 Gone
  ClickType click_type = ClickType::kAll;
  uint32_t unique_window_minutes = 0;  // with kUnique; 0 means kDefaultUniqueWindowMinutes
  std::string password_hash;           // argon2id (libsodium's encoded form); empty: no password
  DeviceTargets devices;
  std::vector<AbTarget> ab_targets;  // empty, or percentages summing to 100
  UtmParameters utm;
  bool forward_query = false;  // merge the visitor's query string into the target
  uint16_t redirect_type = 0;  // 301, 302, 307 or 308; 0: the node's default
  // Retargeting pixels a browser's visit loads on a page of ours before it
  // goes on (redirector/src/trackers/), at most kMaxLinkTrackers, and
  // whether they wait for the visitor's opt-in: the team's setting when
  // the link's trackers were last written.
  std::vector<LinkTracker> trackers;
  TrackerConsent tracker_consent = TrackerConsent::kNone;

  // True when the redirector has nothing to evaluate for the link.
  bool empty() const {
    return expires_at_ms == 0 && max_clicks == 0 && click_type == ClickType::kAll &&
           password_hash.empty() && devices.empty() && ab_targets.empty() && utm.empty() &&
           !forward_query && redirect_type == 0 && trackers.empty();
  }
  uint32_t unique_window() const {
    return unique_window_minutes ? unique_window_minutes : kDefaultUniqueWindowMinutes;
  }
  bool operator==(const LinkRules&) const = default;
};

}  // namespace shortlink
