// Retargeting trackers (issue 21): a provider and the id of the pixel, tag
// or account a team has with it. Nothing else is stored or sent: a node
// renders each tracker from its own template per provider
// (redirector/src/trackers/), never from HTML a user gave, which would be
// stored XSS on a domain every team shares. So each provider's id is held
// to a strict pattern of letters, digits and '-' (IsValidPixelId), checked
// by admin-api on the way in and by the node again before it renders.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace shortlink {

// Numbers are stored in link records: never reuse one.
enum class TrackerProvider : uint8_t {
  kFacebook = 1,
  kGoogleAnalytics = 2,
  kGoogleTagManager = 3,
  kLinkedIn = 4,
  kTwitter = 5,
  kPinterest = 6,
  kQuora = 7,
  kAdWords = 8,
  kSegment = 9,
};
inline constexpr std::array<TrackerProvider, 9> kTrackerProviders = {
    TrackerProvider::kFacebook,
    TrackerProvider::kGoogleAnalytics,
    TrackerProvider::kGoogleTagManager,
    TrackerProvider::kLinkedIn,
    TrackerProvider::kTwitter,
    TrackerProvider::kPinterest,
    TrackerProvider::kQuora,
    TrackerProvider::kAdWords,
    TrackerProvider::kSegment,
};

// A link carries at most this many; a pixel id is at most kMaxPixelIdBytes.
inline constexpr size_t kMaxLinkTrackers = 10;
inline constexpr size_t kMaxPixelIdBytes = 64;

struct LinkTracker {
  TrackerProvider provider = TrackerProvider::kFacebook;
  std::string pixel_id;  // IsValidPixelId(provider, pixel_id)
  bool operator==(const LinkTracker&) const = default;
};

// Whether a link's pixels wait for the visitor's opt-in: never, for
// visitors in the EU, or always. Numbers are stored: never reuse one.
enum class TrackerConsent : uint8_t { kNone = 0, kEu = 1, kAlways = 2 };

// "facebook", "google-analytics", "gtm", "linkedin", "twitter", "pinterest",
// "quora", "adwords", "segment": the API's names.
std::string_view TrackerProviderName(TrackerProvider provider);
// Exact match of a name above; false otherwise.
bool ParseTrackerProvider(std::string_view name, TrackerProvider* provider);
// Whether `number` is one of the enum's (a record's byte).
bool IsTrackerProvider(uint64_t number);
// What the provider calls the id, for messages and the provider list
// ("Pixel ID", "Measurement ID", ...), and an example of one.
std::string_view TrackerIdLabel(TrackerProvider provider);
std::string_view TrackerIdExample(TrackerProvider provider);

// The provider's id pattern, exactly:
//   facebook          5-20 digits                     1234567890123456
//   google-analytics  G- and 4-16 of [A-Z0-9], or UA-digits-digits
//   gtm               GTM- and 4-12 of [A-Z0-9]
//   linkedin          3-12 digits (partner id)
//   twitter           5-10 of [a-z0-9] (pixel id)
//   pinterest         8-16 digits (tag id)
//   quora             32 of [0-9a-f] (pixel id)
//   adwords           AW- and 6-12 digits
//   segment           10-64 of [A-Za-z0-9] (write key)
// None admits anything but [A-Za-z0-9-], so an id is safe in HTML text,
// an attribute and a URL's query as it is.
bool IsValidPixelId(TrackerProvider provider, std::string_view id);

// "none", "eu", "always".
std::string_view TrackerConsentName(TrackerConsent consent);
bool ParseTrackerConsent(std::string_view name, TrackerConsent* consent);

}  // namespace shortlink
