#include "clicks/visit_classifier.h"

#include <arpa/inet.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "classify/request_facts.h"

namespace shortlink::redirector {
namespace {

constexpr int64_t kMsPerHour = 3'600'000;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;

// The visit's address as raw bytes (4 or 16), parsing a header's text;
// empty when it is not an address.
std::string_view RawAddress(const VisitRecord& visit, unsigned char (&buffer)[16]) {
  if (!visit.address_is_text) return visit.address;
  char text[VisitRing::kMaxAddress + 1];
  size_t n = std::min(visit.address.size(), sizeof text - 1);
  std::memcpy(text, visit.address.data(), n);
  text[n] = '\0';
  if (inet_pton(AF_INET, text, buffer) == 1) return {reinterpret_cast<char*>(buffer), 4};
  if (inet_pton(AF_INET6, text, buffer) == 1) return {reinterpret_cast<char*>(buffer), 16};
  return {};
}

}  // namespace

void PadUnknownDimensions(ClickEntry* entry, int64_t unix_hour) {
  static constexpr ClickDimension kSummed[] = {
      kClickHour,    kClickDeviceClass, kClickCountry,  kClickReferrerHost, kClickOs,
      kClickBrowser, kClickBrand,       kClickLanguage, kClickSource,       kClickVisitor};
  uint64_t sums[kClickBot + 1] = {};
  for (const DimensionCount& d : entry->dimensions)
    if (d.dimension <= kClickBot) sums[d.dimension] += d.count;
  for (ClickDimension dimension : kSummed) {
    if (sums[dimension] >= entry->count) continue;
    std::string value;
    switch (dimension) {
      case kClickHour:
        value = std::to_string(unix_hour);
        break;
      // What the classifiers answer when they know nothing.
      case kClickDeviceClass:
        value = classify::DeviceClassName(classify::DeviceClass::kOther);
        break;
      case kClickCountry:
        value = classify::GeoFacts{}.country;
        break;
      case kClickOs:
      case kClickBrowser:
      case kClickBrand:
        value = classify::AgentFacts{}.os;
        break;
      case kClickLanguage:
        value = classify::PrimaryLanguage({});
        break;
      default:
        value = "unknown";
        break;
    }
    uint64_t missing = entry->count - sums[dimension];
    bool merged = false;
    for (DimensionCount& d : entry->dimensions) {
      if (d.dimension == dimension && d.value == value) {
        d.count += missing;
        merged = true;
        break;
      }
    }
    if (!merged) entry->dimensions.push_back({dimension, std::move(value), missing});
  }
}

Result<std::unique_ptr<VisitClassifier>> VisitClassifier::Open(
    const VisitClassifierOptions& options) {
  if (sodium_init() < 0) return MakeError(ErrorCode::kInternal, "libsodium failed to start");
  auto agents = classify::UserAgentClassifier::Load(options.user_agent_regexes);
  if (!agents.ok()) return agents.error();
  auto geo = options.geoip_db.empty() ? classify::GeoLocator::OpenTorGeoip()
                                      : classify::GeoLocator::OpenMaxMind(options.geoip_db);
  if (!geo.ok()) return geo.error();
  return std::unique_ptr<VisitClassifier>(
      new VisitClassifier(options, std::move(agents).value(), std::move(geo).value()));
}

VisitClassifier::VisitClassifier(VisitClassifierOptions options,
                                 std::unique_ptr<classify::UserAgentClassifier> agents,
                                 std::unique_ptr<classify::GeoLocator> geo)
    : options_(std::move(options)), agents_(std::move(agents)), geo_(std::move(geo)) {}

bool VisitClassifier::FirstVisitToday(std::string_view link_key, std::string_view address,
                                      std::string_view user_agent, int64_t day) {
  if (day != visitor_day_) {  // a new day, a new key: yesterday's hashes mean nothing now
    visitor_day_ = day;
    randombytes_buf(visitor_key_, sizeof visitor_key_);
    visitors_.clear();
  }
  // (link, address, agent), each length-prefixed so no two tuples share
  // bytes. The agent (~150 bytes) goes in as a 64-bit hash of it: SipHash
  // costs ~1.5 cycles a byte, and this hash a third of that; two agents
  // whose hashes collide (1 in 2^64) would share a visitor.
  const uint64_t agent = std::hash<std::string_view>{}(user_agent);
  const std::string_view agent_bytes(reinterpret_cast<const char*>(&agent), sizeof agent);
  std::string& in = visitor_;
  in.clear();
  for (std::string_view part : {link_key, address, agent_bytes}) {
    in.push_back(static_cast<char>(part.size() & 0xff));
    in.push_back(static_cast<char>(part.size() >> 8));
    in.append(part);
  }
  uint64_t hash = 0;
  crypto_shorthash(reinterpret_cast<unsigned char*>(&hash),
                   reinterpret_cast<const unsigned char*>(in.data()), in.size(), visitor_key_);
  if (visitors_.size() >= options_.max_visitors_per_day && !visitors_.count(hash)) {
    // Past the bound: counted as unique, and said so in metrics.
    visitors_forgotten_.store(visitors_forgotten_.load(std::memory_order_relaxed) + 1,
                              std::memory_order_relaxed);
    return true;
  }
  return visitors_.insert(hash).second;
}

void VisitClassifier::Add(const VisitRecord& visit, int64_t unix_ms, VisitTally* tally) {
  unsigned char address_buffer[16];
  const std::string_view address = RawAddress(visit, address_buffer);
  key_.clear();
  AppendClickKey(visit.domain, visit.code, &key_);
  const classify::AgentFacts& agent = agents_->Classify(visit.user_agent);
  const VisitTally::LinkRef link = tally->Link(key_);
  const uint64_t agent_clears = agents_->cache_stats().clears;
  if (tally->serial() != ids_serial_ || agent_clears != agent_clears_) {
    // A new tally: its ids are its own. A cleared agent cache: its facts'
    // addresses may be reused by other agents.
    if (tally->serial() != ids_serial_) {
      ids_serial_ = tally->serial();
      hour_id_ = kNoId;
      country_ids_.fill(kNoId);
      header_ids_.clear();
      unique_id_ = tally->Intern(kClickVisitor, "unique");
      repeat_id_ = tally->Intern(kClickVisitor, "repeat");
    }
    agent_clears_ = agent_clears;
    agent_ids_.clear();
  }
  if (visit.bot) {
    std::string_view name = agent.bot_name.empty() ? std::string_view("Other") : agent.bot_name;
    tally->Add(link, tally->Intern(kClickBot, name));
    return;
  }
  tally->AddClick(link);
  if (unix_ms / kMsPerHour != hour_ || hour_id_ == kNoId) {
    hour_ = unix_ms / kMsPerHour;
    hour_id_ = tally->Intern(kClickHour, std::to_string(hour_));
  }
  VisitTally::Profile profile;
  auto& slot = profile.values;
  slot[kHourSlot] = hour_id_;
  SetAgentSlots(agent, tally, &profile);
  classify::GeoFacts geo = geo_->Locate(address);
  slot[kCountrySlot] = CountryId(geo.country, tally);
  if (!geo.city.empty()) slot[kCitySlot] = tally->Intern(kClickCity, geo.country + "/" + geo.city);
  SetHeaderSlots(visit, tally, &profile);
  bool unique = FirstVisitToday(key_, address, visit.user_agent, unix_ms / kMsPerDay);
  slot[kVisitorSlot] = unique ? unique_id_ : repeat_id_;
  tally->AddProfile(link, tally->Intern(profile));
}

void VisitClassifier::SetAgentSlots(const classify::AgentFacts& agent, VisitTally* tally,
                                    VisitTally::Profile* profile) {
  auto [it, made] = agent_ids_.try_emplace(&agent);
  if (made) {
    // An agent the bot detector let through but uap calls a spider is still
    // a click (the policy decided); its device class is "other".
    classify::DeviceClass device =
        agent.device == classify::DeviceClass::kBot ? classify::DeviceClass::kOther : agent.device;
    it->second = {tally->Intern(kClickDeviceClass, classify::DeviceClassName(device)),
                  tally->Intern(kClickOs, agent.os), tally->Intern(kClickBrowser, agent.browser),
                  tally->Intern(kClickBrand, agent.brand)};
  }
  auto& slot = profile->values;
  slot[kDeviceSlot] = it->second[0];
  slot[kOsSlot] = it->second[1];
  slot[kBrowserSlot] = it->second[2];
  slot[kBrandSlot] = it->second[3];
}

void VisitClassifier::SetHeaderSlots(const VisitRecord& visit, VisitTally* tally,
                                     VisitTally::Profile* profile) {
  // Accept-Language length-prefixed (the ring bounds it to 64 bytes; two
  // prefix bytes all the same), so that no two pairs share a key.
  header_key_.clear();
  header_key_.push_back(static_cast<char>(visit.accept_language.size() & 0xff));
  header_key_.push_back(static_cast<char>(visit.accept_language.size() >> 8));
  header_key_.append(visit.accept_language);
  header_key_.append(visit.referer);
  auto it = header_ids_.find(header_key_);
  if (it == header_ids_.end()) {
    if (header_ids_.size() >= kMaxHeaderIds) header_ids_.clear();
    std::string referrer = classify::ReferrerHost(visit.referer);
    HeaderIds ids{tally->Intern(kClickLanguage, classify::PrimaryLanguage(visit.accept_language)),
                  tally->Intern(kClickReferrerHost, referrer),
                  tally->Intern(kClickSource, classify::SourceOf({}, referrer))};
    it = header_ids_.emplace(header_key_, ids).first;
  }
  const HeaderIds& ids = it->second;
  auto& slot = profile->values;
  slot[kLanguageSlot] = ids.language;
  slot[kReferrerSlot] = ids.referrer;
  // A utm_source in the query names the source; without one it is the
  // referrer's, as cached.
  slot[kSourceSlot] =
      visit.query.empty()
          ? ids.source
          : tally->Intern(kClickSource,
                          classify::SourceOf(visit.query, tally->value_of(ids.referrer)));
}

VisitTally::ValueId VisitClassifier::CountryId(const std::string& country, VisitTally* tally) {
  if (country.size() != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' ||
      country[1] > 'Z')
    return tally->Intern(kClickCountry, country);
  VisitTally::ValueId& id = country_ids_[(country[0] - 'A') * 26 + (country[1] - 'A')];
  if (id == kNoId) id = tally->Intern(kClickCountry, country);
  return id;
}

}  // namespace shortlink::redirector
