#include "classify/user_agent.h"

#include <functional>
#include <unordered_map>

#include "device_class_rules.h"
#include "uap_regexes.h"
#include "user_agent_parser.h"

namespace shortlink::classify {
namespace {

// What a cache entry costs besides its key's and facts' bytes: the hash
// node, six std::string headers, the bucket pointer (bytes, x86-64).
constexpr size_t kEntryOverhead = 224;

// Lets the cache be searched with a string_view, no std::string made.
struct AgentHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// At most kMaxValueBytes, cut where a UTF-8 character starts: the facts
// become click-batch values, and a capture of a hostile agent can be long.
std::string Bounded(std::string_view value) {
  if (value.size() <= UserAgentClassifier::kMaxValueBytes) return std::string(value);
  size_t cut = UserAgentClassifier::kMaxValueBytes;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return std::string(value.substr(0, cut));
}

AgentFacts FactsOf(const UapResult& uap, std::string_view user_agent) {
  AgentFacts facts;
  facts.device = DeviceClassOf(uap, user_agent);
  facts.os = Bounded(uap.os.major.empty() ? uap.os.family : uap.os.family + " " + uap.os.major);
  facts.browser = Bounded(uap.agent.family);
  if (!uap.device.brand.empty()) facts.brand = Bounded(uap.device.brand);
  if (facts.device == DeviceClass::kBot) facts.bot_name = Bounded(uap.agent.family);
  return facts;
}

size_t EntryBytes(std::string_view key, const AgentFacts& facts) {
  return kEntryOverhead + key.size() + facts.os.size() + facts.browser.size() + facts.brand.size() +
         facts.bot_name.size();
}

}  // namespace

struct UserAgentClassifier::Impl {
  std::unique_ptr<UserAgentParser> parser;
  std::unordered_map<std::string, AgentFacts, AgentHash, std::equal_to<>> cache;
  CacheStats stats;
};

Result<std::unique_ptr<UserAgentClassifier>> UserAgentClassifier::Load(
    const std::string& regexes_path) {
  auto regexes = ReadUapRegexes(regexes_path);
  if (!regexes) return regexes.error();
  auto parser = UserAgentParser::Compile(*regexes);
  if (!parser) {
    return MakeError(parser.error().code, regexes_path + ": " + parser.error().message);
  }
  auto impl = std::make_unique<Impl>();
  impl->parser = std::move(*parser);
  impl->cache.reserve(kCacheEntries);
  return std::unique_ptr<UserAgentClassifier>(new UserAgentClassifier(std::move(impl)));
}

UserAgentClassifier::UserAgentClassifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

UserAgentClassifier::~UserAgentClassifier() = default;

const AgentFacts& UserAgentClassifier::Classify(std::string_view user_agent) {
  user_agent = user_agent.substr(0, kMaxAgentBytes);
  CacheStats& stats = impl_->stats;
  if (auto hit = impl_->cache.find(user_agent); hit != impl_->cache.end()) {
    ++stats.hits;
    return hit->second;
  }
  ++stats.misses;
  AgentFacts facts = FactsOf(impl_->parser->Parse(user_agent), user_agent);
  size_t bytes = EntryBytes(user_agent, facts);
  if (impl_->cache.size() >= kCacheEntries || stats.bytes + bytes > kCacheBytes) {
    impl_->cache.clear();  // keeps its buckets: no rehash while refilling
    stats.bytes = 0;
    ++stats.clears;
  }
  stats.bytes += bytes;
  return impl_->cache.emplace(std::string(user_agent), std::move(facts)).first->second;
}

UserAgentClassifier::CacheStats UserAgentClassifier::cache_stats() const {
  CacheStats stats = impl_->stats;
  stats.entries = impl_->cache.size();
  return stats;
}

}  // namespace shortlink::classify
