// Retargeting trackers in link records (common/tracker.h, common/link.h):
// pixel ids held to their provider's pattern, trackers carried as rules,
// and records the previous release wrote read unchanged.
#include <catch2/catch.hpp>
#include <string>

#include "common/link.h"
#include "common/tracker.h"
#include "common/wire.h"

namespace shortlink {
namespace {

using namespace std::string_view_literals;  // the record holds 0x00 bytes

// EncodeLink of the link below by the release before trackers (258a6e0),
// byte for byte: code, URL, state, owner, clicks, dates, title, a tag, an
// expiry, a click limit, two A/B targets, utm_source, forwardQuery, 307 and
// a campaign.
constexpr std::string_view kOldRecord =
    "\x01\x05\x6f\x6c\x64\x2d\x31\x02\x19\x68\x74\x74\x70\x73\x3a\x2f\x2f\x65\x78\x61\x6d\x70\x6c"
    "\x65\x2e\x63\x6f\x6d\x2f\x61\x3f\x62\x3d\x31\x03\x01\x00\x04\x01\x07\x05\x01\x03\x06\x06\x80"
    "\xd0\x95\xff\xbc\x31\x07\x06\xf4\xd3\x95\xff\xbc\x31\x09\x03\x4f\x6c\x64\x0a\x01\x74\x0c\x06"
    "\x80\xa0\xf1\xc2\xb1\x34\x0e\x01\x09\x17\x13\x28\x68\x74\x74\x70\x73\x3a\x2f\x2f\x61\x2e\x65"
    "\x78\x61\x6d\x70\x6c\x65\x2f\x17\x13\x3c\x68\x74\x74\x70\x73\x3a\x2f\x2f\x62\x2e\x65\x78\x61"
    "\x6d\x70\x6c\x65\x2f\x18\x04\x6e\x65\x77\x73\x1d\x01\x01\x1e\x02\xb3\x02\x20\x01\x05"sv;

Link OldLink() {
  Link l;
  l.code = "old-1";
  l.long_url = "https://example.com/a?b=1";
  l.owner = 7;
  l.clicks = 3;
  l.created_at_ms = 1700000000000;
  l.updated_at_ms = 1700000000500;
  l.title = "Old";
  l.tags = {"t"};
  l.rules.expires_at_ms = 1800000000000;
  l.rules.max_clicks = 9;
  l.rules.ab_targets = {{"https://a.example/", 40}, {"https://b.example/", 60}};
  l.rules.utm.source = "news";
  l.rules.redirect_type = 307;
  l.rules.forward_query = true;
  l.campaign = 5;
  return l;
}

std::string Encoded(const Link& link) {
  std::string out;
  EncodeLink(link, &out);
  return out;
}

}  // namespace

TEST_CASE("a record of the release before trackers decodes unchanged", "[codec][trackers]") {
  auto link = DecodeLink(kOldRecord);
  REQUIRE(link.ok());
  CHECK(*link == OldLink());
  CHECK(link->rules.trackers.empty());
  CHECK(link->rules.tracker_consent == TrackerConsent::kNone);
  // And a link without trackers is written as that release wrote it, so
  // digests and change logs of older nodes agree byte for byte.
  CHECK(Encoded(OldLink()) == kOldRecord);
}

TEST_CASE("trackers and consent survive a round trip and mark the record ruled",
          "[codec][trackers]") {
  Link link;
  link.code = "t";
  link.long_url = "https://example.com/";
  link.rules.trackers = {{TrackerProvider::kFacebook, "1234567890"},
                         {TrackerProvider::kGoogleTagManager, "GTM-AB12CD3"}};
  link.rules.tracker_consent = TrackerConsent::kAlways;
  CHECK_FALSE(link.rules.empty());
  std::string bytes = Encoded(link);
  CHECK(DecodeLink(bytes).value() == link);
  CHECK(DecodeServedLink(bytes)->has_rules);
  link.rules.tracker_consent = TrackerConsent::kNone;
  CHECK(DecodeLink(Encoded(link)).value() == link);
}

TEST_CASE("a tracker a node could not render safely is refused in a record", "[codec][trackers]") {
  auto with_tracker = [](uint64_t provider, std::string_view id) {
    std::string bytes = Encoded(OldLink());
    std::string nested;
    wire::PutVarint(provider, &nested);
    nested += id;
    wire::PutField(33, nested, &bytes);
    return DecodeLink(bytes);
  };
  CHECK(with_tracker(1, "1234567890").ok());
  CHECK_FALSE(with_tracker(1, "123\"><script>").ok());  // HTML where digits belong
  CHECK_FALSE(with_tracker(0, "1234567890").ok());      // no such provider
  CHECK_FALSE(with_tracker(10, "1234567890").ok());
  CHECK_FALSE(with_tracker(1, "").ok());
}

TEST_CASE("pixel ids are held to their provider's pattern", "[trackers]") {
  using P = TrackerProvider;
  for (P p : kTrackerProviders) {
    CHECK(IsValidPixelId(p, TrackerIdExample(p)));
    CHECK_FALSE(IsValidPixelId(p, ""));
    CHECK_FALSE(IsValidPixelId(p, std::string(TrackerIdExample(p)) + "<"));
    CHECK_FALSE(IsValidPixelId(p, std::string(TrackerIdExample(p)) + "\""));
    CHECK_FALSE(IsValidPixelId(p, std::string(TrackerIdExample(p)) + "'"));
    CHECK_FALSE(IsValidPixelId(p, std::string(TrackerIdExample(p)) + " "));
    TrackerProvider parsed;
    REQUIRE(ParseTrackerProvider(TrackerProviderName(p), &parsed));
    CHECK(parsed == p);
  }
  CHECK(IsValidPixelId(P::kGoogleAnalytics, "UA-12345678-1"));
  CHECK_FALSE(IsValidPixelId(P::kGoogleAnalytics, "UA-12345678-"));
  CHECK_FALSE(IsValidPixelId(P::kGoogleAnalytics, "g-abc123"));
  CHECK_FALSE(IsValidPixelId(P::kFacebook, "1234"));
  CHECK_FALSE(IsValidPixelId(P::kFacebook, "12345a"));
  CHECK_FALSE(IsValidPixelId(P::kQuora, "0123456789ABCDEF0123456789abcdef"));
  CHECK_FALSE(IsValidPixelId(P::kAdWords, "AW-12345"));
  CHECK_FALSE(IsValidPixelId(P::kSegment, std::string(65, 'a')));
  TrackerProvider unused;
  CHECK_FALSE(ParseTrackerProvider("Facebook", &unused));
  TrackerConsent consent;
  CHECK(ParseTrackerConsent("eu", &consent));
  CHECK(consent == TrackerConsent::kEu);
  CHECK_FALSE(ParseTrackerConsent("EU", &consent));
}

TEST_CASE("a consent field without trackers decodes as absent, as it is written",
          "[codec][trackers]") {
  // A writer never puts consent alone, but a record is read from disk and
  // the network: whatever decodes must encode back to the same link.
  Link link;
  link.code = "c";
  link.long_url = "https://example.com/";
  std::string bytes = Encoded(link);
  wire::PutVarintField(34, static_cast<uint64_t>(TrackerConsent::kAlways), &bytes);
  auto decoded = DecodeLink(bytes);
  REQUIRE(decoded.ok());
  CHECK(decoded->rules.tracker_consent == TrackerConsent::kNone);
  CHECK(DecodeLink(Encoded(*decoded)).value() == *decoded);
}

}  // namespace shortlink
