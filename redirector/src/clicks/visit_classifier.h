// VisitClassifier: the click collector's side of click analytics. It turns
// the visits workers recorded (clicks/visit_ring.h) into counts by link,
// dimension and value (common/click_batch.h, ClickDimension) in a
// VisitTally, beside the link's click in CodeCounts: the two travel
// together through the ledger, the state file and the batch admin-api
// applies exactly once.
//
// Unique visitors: a visit is "unique" the first time its (link, address,
// User-Agent) is seen in a UTC day, "repeat" after. Only a keyed hash
// (SipHash, libsodium's crypto_shorthash) of the three is kept, with a key
// drawn at random each day and never stored: no address is kept anywhere,
// and yesterday's hashes cannot be tied to today's.
//
// Thread safety: one thread (the collector).
#pragma once

#include <array>
#include <atomic>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "classify/geo.h"
#include "classify/user_agent.h"
#include "clicks/click_ledger.h"
#include "clicks/visit_ring.h"
#include "clicks/visit_tally.h"
#include "common/click_batch.h"
#include "common/result.h"

namespace shortlink::redirector {

// Makes every dimension of `entry` sum to its count: what no visit record
// told (clicks counted while the ring was full, or before a restart of an
// older version) goes to the dimension's unknown value ("ZZ", "Other",
// "none", "unknown"; the hour: `unix_hour`). The city is left as it is: it
// is known only where the geo database has cities.
void PadUnknownDimensions(ClickEntry* entry, int64_t unix_hour);

struct VisitClassifierOptions {
  std::string user_agent_regexes = classify::UserAgentClassifier::kDefaultRegexes;
  std::string geoip_db;                           // a MaxMind database; empty: Debian's tor-geoipdb
  size_t max_visitors_per_day = size_t{1} << 21;  // remembered for unique/repeat
};

class VisitClassifier {
 public:
  static Result<std::unique_ptr<VisitClassifier>> Open(const VisitClassifierOptions& options);

  // Adds `visit` at `unix_ms` to `tally`: a click to its link
  // (VisitTally::AddClick) and one value of every dimension; a bot visit to
  // kClickBot only.
  void Add(const VisitRecord& visit, int64_t unix_ms, VisitTally* tally);

  // Visits past max_visitors_per_day, counted unique without being
  // remembered. Any thread (the metrics page).
  uint64_t visitors_forgotten() const {
    return visitors_forgotten_.load(std::memory_order_relaxed);
  }

 private:
  VisitClassifier(VisitClassifierOptions options,
                  std::unique_ptr<classify::UserAgentClassifier> agents,
                  std::unique_ptr<classify::GeoLocator> geo);
  bool FirstVisitToday(std::string_view link_key, std::string_view address,
                       std::string_view user_agent, int64_t day);
  // A visit's slots of its profile (VisitTally::Profile), one per dimension.
  enum Slot : size_t {
    kHourSlot,
    kDeviceSlot,
    kOsSlot,
    kBrowserSlot,
    kBrandSlot,
    kCountrySlot,
    kCitySlot,
    kLanguageSlot,
    kSourceSlot,
    kReferrerSlot,
    kVisitorSlot,
  };
  static_assert(kVisitorSlot < VisitTally::kProfileSlots);
  // The agent's four slots, its ids interned once per tally and agent.
  void SetAgentSlots(const classify::AgentFacts& agent, VisitTally* tally,
                     VisitTally::Profile* profile);
  // A country code's id, interned once per tally.
  VisitTally::ValueId CountryId(const std::string& country, VisitTally* tally);
  // The language, referrer and source slots of a visit, from what the same
  // Accept-Language and Referer gave before in this tally.
  void SetHeaderSlots(const VisitRecord& visit, VisitTally* tally, VisitTally::Profile* profile);

  const VisitClassifierOptions options_;
  std::unique_ptr<classify::UserAgentClassifier> agents_;
  std::unique_ptr<classify::GeoLocator> geo_;
  // Ids of values most visits share, in the tally of serial ids_serial_.
  static constexpr VisitTally::ValueId kNoId = ~VisitTally::ValueId{0};
  uint64_t ids_serial_ = 0;
  int64_t hour_ = -1;  // of the last visit
  VisitTally::ValueId hour_id_ = kNoId;
  // By the address of the agent cache's facts, valid until it is cleared
  // (agent_clears_ counts the clears seen): device, OS, browser, brand.
  boost::unordered_flat_map<const classify::AgentFacts*, std::array<VisitTally::ValueId, 4>>
      agent_ids_;
  uint64_t agent_clears_ = 0;
  std::array<VisitTally::ValueId, 26 * 26> country_ids_{};  // by the code's two letters
  // By (Accept-Language, Referer) as sent: most visits repeat a few dozen
  // pairs, whose parsing and interning then cost one lookup. Emptied past
  // kMaxHeaderIds (varied or hostile headers) and with each new tally.
  struct HeaderIds {
    VisitTally::ValueId language, referrer, source;  // source: when the query names none
  };
  static constexpr size_t kMaxHeaderIds = 8192;
  boost::unordered_flat_map<std::string, HeaderIds> header_ids_;
  std::string header_key_;  // scratch
  VisitTally::ValueId unique_id_ = kNoId, repeat_id_ = kNoId;
  int64_t visitor_day_ = -1;
  unsigned char visitor_key_[16] = {};
  boost::unordered_flat_set<uint64_t> visitors_;
  std::atomic<uint64_t> visitors_forgotten_{0};  // written by the collector only
  std::string visitor_;                          // scratch: what a visitor's hash is of
  std::string key_;                              // scratch: the link's key
};

}  // namespace shortlink::redirector
