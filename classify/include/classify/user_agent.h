// UserAgentClassifier: a User-Agent string to what analytics reports (OS,
// browser, device brand and class, bot name), with the uap-core project's
// regexes (Debian package uap-core) compiled once by RE2.
//
// Why a cache: an uncached parse costs ~13 us (~45 us while RE2's DFAs
// are cold), even with a prefilter in front of uap's ~1,100 patterns
// (src/user_agent_parser.h; one by one it would be ~0.3 ms); real traffic
// repeats a few thousand agents, so a repeated one costs a hash lookup.
// The cache is bounded (kCacheEntries entries, about kCacheBytes bytes);
// when full it is cleared and refilled, which keeps memory fixed without
// a per-hit LRU. Agents longer than kMaxAgentBytes are classified (and
// cached) by that prefix, so hostile agents cost neither more parsing nor
// more memory than real ones.
//
// Thread safety: one thread per instance (the click collector).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "classify/device_class.h"
#include "common/result.h"

namespace shortlink::classify {

struct AgentFacts {
  DeviceClass device = DeviceClass::kOther;
  std::string os = "Other";       // family and major version: "iOS 17", "Windows 10", "Mac OS X 10"
  std::string browser = "Other";  // family: "Chrome", "Mobile Safari", "Firefox"
  std::string brand = "Other";    // "Apple", "Samsung", "Generic_Android"...
  std::string bot_name;           // device == kBot: uap's family ("Googlebot"), else empty
};

class UserAgentClassifier {
 public:
  static constexpr const char* kDefaultRegexes = "/usr/share/uap-core/regexes.yaml";
  static constexpr size_t kCacheEntries = 65'536;
  static constexpr size_t kCacheBytes = 32 << 20;  // keys, facts and node overhead, estimated
  static constexpr size_t kMaxAgentBytes = 1'024;  // real agents are under 512
  static constexpr size_t kMaxValueBytes = 64;     // longer facts are cut (at a UTF-8 boundary)

  struct CacheStats {
    uint64_t hits = 0;
    uint64_t misses = 0;  // each an uncached parse
    uint64_t clears = 0;  // times the full cache was emptied
    size_t entries = 0;
    size_t bytes = 0;  // the estimate kCacheBytes bounds
  };

  // Reads and compiles the regexes; an unreadable file or a pattern RE2
  // cannot compile is an error naming it.
  static Result<std::unique_ptr<UserAgentClassifier>> Load(
      const std::string& regexes_path = kDefaultRegexes);
  ~UserAgentClassifier();

  // The facts of `user_agent` (empty: all "Other"). The reference stays
  // valid until the next call; the facts keep their address (a cached
  // agent's facts are found at the same one) until the cache is cleared,
  // which cache_stats().clears counts.
  const AgentFacts& Classify(std::string_view user_agent);

  CacheStats cache_stats() const;

 private:
  struct Impl;
  explicit UserAgentClassifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shortlink::classify
