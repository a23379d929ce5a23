#include "common/tracker.h"

namespace shortlink {
namespace {

struct ProviderInfo {
  TrackerProvider provider;
  std::string_view name;
  std::string_view label;
  std::string_view example;
};
constexpr std::array<ProviderInfo, 9> kInfo = {{
    {TrackerProvider::kFacebook, "facebook", "Pixel ID", "1234567890123456"},
    {TrackerProvider::kGoogleAnalytics, "google-analytics", "Measurement ID", "G-ABC123XYZ9"},
    {TrackerProvider::kGoogleTagManager, "gtm", "Container ID", "GTM-AB12CD3"},
    {TrackerProvider::kLinkedIn, "linkedin", "Partner ID", "1234567"},
    {TrackerProvider::kTwitter, "twitter", "Pixel ID", "o1ab2"},
    {TrackerProvider::kPinterest, "pinterest", "Tag ID", "2612345678901"},
    {TrackerProvider::kQuora, "quora", "Pixel ID", "0123456789abcdef0123456789abcdef"},
    {TrackerProvider::kAdWords, "adwords", "Conversion ID", "AW-123456789"},
    {TrackerProvider::kSegment, "segment", "Write key", "AbC123dEf456GhI789"},
}};

const ProviderInfo* Find(TrackerProvider provider) {
  for (const ProviderInfo& info : kInfo)
    if (info.provider == provider) return &info;
  return nullptr;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpperOrDigit(char c) { return IsDigit(c) || (c >= 'A' && c <= 'Z'); }
bool IsLowerOrDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z'); }
bool IsHexLower(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }
bool IsAlnum(char c) { return IsUpperOrDigit(c) || (c >= 'a' && c <= 'z'); }

// `text` is `prefix` followed by min..max characters that each pass `ok`.
template <typename Pred>
bool Pattern(std::string_view text, std::string_view prefix, size_t min, size_t max, Pred ok) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  if (text.size() < min || text.size() > max) return false;
  for (char c : text)
    if (!ok(c)) return false;
  return true;
}

// UA-<4-10 digits>-<1-4 digits>: Universal Analytics' property ids.
bool IsUniversalAnalyticsId(std::string_view id) {
  if (id.substr(0, 3) != "UA-") return false;
  id.remove_prefix(3);
  size_t dash = id.find('-');
  if (dash == std::string_view::npos) return false;
  return Pattern(id.substr(0, dash), "", 4, 10, IsDigit) &&
         Pattern(id.substr(dash + 1), "", 1, 4, IsDigit);
}

}  // namespace

std::string_view TrackerProviderName(TrackerProvider provider) {
  const ProviderInfo* info = Find(provider);
  return info ? info->name : std::string_view();
}

bool ParseTrackerProvider(std::string_view name, TrackerProvider* provider) {
  for (const ProviderInfo& info : kInfo) {
    if (info.name == name) {
      *provider = info.provider;
      return true;
    }
  }
  return false;
}

bool IsTrackerProvider(uint64_t number) { return number >= 1 && number <= kInfo.size(); }

std::string_view TrackerIdLabel(TrackerProvider provider) {
  const ProviderInfo* info = Find(provider);
  return info ? info->label : std::string_view();
}

std::string_view TrackerIdExample(TrackerProvider provider) {
  const ProviderInfo* info = Find(provider);
  return info ? info->example : std::string_view();
}

bool IsValidPixelId(TrackerProvider provider, std::string_view id) {
  if (id.size() > kMaxPixelIdBytes) return false;
  switch (provider) {
    case TrackerProvider::kFacebook:
      return Pattern(id, "", 5, 20, IsDigit);
    case TrackerProvider::kGoogleAnalytics:
      return Pattern(id, "G-", 4, 16, IsUpperOrDigit) || IsUniversalAnalyticsId(id);
    case TrackerProvider::kGoogleTagManager:
      return Pattern(id, "GTM-", 4, 12, IsUpperOrDigit);
    case TrackerProvider::kLinkedIn:
      return Pattern(id, "", 3, 12, IsDigit);
    case TrackerProvider::kTwitter:
      return Pattern(id, "", 5, 10, IsLowerOrDigit);
    case TrackerProvider::kPinterest:
      return Pattern(id, "", 8, 16, IsDigit);
    case TrackerProvider::kQuora:
      return Pattern(id, "", 32, 32, IsHexLower);
    case TrackerProvider::kAdWords:
      return Pattern(id, "AW-", 6, 12, IsDigit);
    case TrackerProvider::kSegment:
      return Pattern(id, "", 10, 64, IsAlnum);
  }
  return false;
}

std::string_view TrackerConsentName(TrackerConsent consent) {
  switch (consent) {
    case TrackerConsent::kEu:
      return "eu";
    case TrackerConsent::kAlways:
      return "always";
    case TrackerConsent::kNone:
      break;
  }
  return "none";
}

bool ParseTrackerConsent(std::string_view name, TrackerConsent* consent) {
  if (name == "none")
    *consent = TrackerConsent::kNone;
  else if (name == "eu")
    *consent = TrackerConsent::kEu;
  else if (name == "always")
    *consent = TrackerConsent::kAlways;
  else
    return false;
  return true;
}

}  // namespace shortlink
