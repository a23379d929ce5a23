// UserAgentClassifier: a User-Agent string to what analytics reports (OS,
// browser, device brand and class, bot name), with the uap-core project's
// regexes (Debian package uap-core) compiled once by RE2.
//
// Why a cache: an uncached parse tries up to ~1,100 patterns (~0.2 ms);
// real traffic repeats a few thousand agents, so a repeated one costs a
// hash lookup. The cache is bounded (kCacheEntries); when full it is
// cleared and refilled, which keeps memory fixed without a per-hit LRU.
//
// Thread safety: one thread per instance (the click collector).
#pragma once

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

  // Reads and compiles the regexes; an unreadable file or a pattern RE2
  // cannot compile is an error naming it.
  static Result<std::unique_ptr<UserAgentClassifier>> Load(
      const std::string& regexes_path = kDefaultRegexes);
  ~UserAgentClassifier();

  // The facts of `user_agent` (empty: all "Other"). The reference stays
  // valid until the next call.
  const AgentFacts& Classify(std::string_view user_agent);

 private:
  struct Impl;
  explicit UserAgentClassifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shortlink::classify
