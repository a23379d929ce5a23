// UserAgentParser: uap-core's whole answer for a User-Agent (the agent,
// its OS and its device, with versions), as uap's specification.md and
// reference implementations define it. UserAgentClassifier reduces it to
// AgentFacts; the conformance tests compare it field by field.
//
// How: trying ~1,100 patterns in turn costs ~0.37 ms an agent (bench_user_agent
// BM_ParseNaive, first match only). One RE2::Set
// of a whole list (one DFA pass tells every pattern that matches) was the
// first plan, and measured worse: the set's unanchored DFA over hundreds of
// patterns with bounded repeats (.{0,300}) needs new states for nearly
// every new agent, ~250 us a list at 16,000 distinct agents, with 585 MB
// resident. So each list is an RE2 FilteredRE2 instead: RE2 extracts from
// every pattern the literals ("atoms") a match needs; one RE2::Set of those
// literals (a small DFA, like Aho-Corasick) finds in one pass the atoms an
// agent holds; that leaves a few candidate patterns (on uap's device
// tests, ~11 of 625 device patterns, ~2.3 of 347 agent patterns, ~0.8 of
// 190 OS patterns), tried in list order, the first match giving the
// captures: ~11 us an agent once the DFAs are warm, ~45 us cold. When the
// atom set's DFA exceeds its memory budget, every pattern is a candidate
// (counted).
//
// Thread safety: after Compile, Parse is const and safe from any thread
// (RE2 and RE2::Set are).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "uap_regexes.h"

namespace shortlink::classify {

// Empty strings are uap's undefined (null) fields.
struct UapAgent {
  std::string family = "Other";
  std::string major, minor, patch;
};
struct UapOs {
  std::string family = "Other";
  std::string major, minor, patch, patch_minor;
};
struct UapDevice {
  std::string family = "Other";
  std::string brand, model;
};
struct UapResult {
  UapAgent agent;
  UapOs os;
  UapDevice device;
};

class UserAgentParser {
 public:
  // Compiles every pattern (alone, and into its list's set); a pattern
  // RE2 refuses is an error naming its list, position and text.
  static Result<std::unique_ptr<UserAgentParser>> Compile(const UapRegexes& regexes);
  ~UserAgentParser();

  UapResult Parse(std::string_view user_agent) const;
  UapAgent ParseAgent(std::string_view user_agent) const;
  UapOs ParseOs(std::string_view user_agent) const;
  UapDevice ParseDevice(std::string_view user_agent) const;

  // Lists matched pattern by pattern because an atom set's DFA ran out
  // of memory (expected 0).
  uint64_t set_fallbacks() const { return set_fallbacks_.load(std::memory_order_relaxed); }

  class PatternList;  // one list of regexes.yaml, compiled (user_agent_parser.cc)

 private:
  UserAgentParser(std::unique_ptr<PatternList> agent, std::unique_ptr<PatternList> os,
                  std::unique_ptr<PatternList> device);

  std::unique_ptr<PatternList> agent_;
  std::unique_ptr<PatternList> os_;
  std::unique_ptr<PatternList> device_;
  mutable std::atomic<uint64_t> set_fallbacks_{0};
};

}  // namespace shortlink::classify
