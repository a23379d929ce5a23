#include "user_agent_parser.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <span>
#include <vector>

namespace shortlink::classify {
namespace {

// uap's placeholders go up to $9: groups 0..9.
constexpr int kMaxGroups = 10;

// Memory budget of each compiled pattern (bytes): its programs and its
// lazily built DFAs, which RE2 clears and rebuilds when full. A few device
// patterns (the mobile spiders' '^.{0,100}?(?:...).{0,300}(?:...)') need
// many DFA states: at 8 MiB they fall back to the NFA and cost ~12 us a
// try, at 32 MiB ~1 us. The budget is a ceiling, not an allocation: the
// whole classifier holds ~3 MB after Load and ~120 MB after 29,856
// distinct agents of uap's test files (DFA states of every pattern they
// reached, and the cache), much the same at 8 MiB.
constexpr int64_t kPatternMaxMem = 32 << 20;

// Atoms (literals the prefilter requires) shorter than this are dropped
// from a pattern's filter. Measured on uap's device tests (warm, all three
// lists): 1 byte 18 us an agent (every agent holds most one-byte atoms),
// 2 bytes 11 us, 3 bytes 12.7 us, 4 bytes 90 us (the crawler alternations
// lose their filter and run on every agent).
constexpr int kMinAtomLength = 2;

RE2::Options OptionsWith(int64_t max_mem) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(max_mem);
  return options;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A replacement template with $1..$9 put in (an absent or unmatched group
// is empty), trimmed, as uap's specification says.
std::string Expand(std::string_view tmpl, const re2::StringPiece* groups, int group_count) {
  std::string out;
  out.reserve(tmpl.size() + 16);
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '$' && i + 1 < tmpl.size() && tmpl[i + 1] >= '1' && tmpl[i + 1] <= '9') {
      int g = tmpl[i + 1] - '0';
      if (g < group_count) out.append(groups[g].data(), groups[g].size());
      ++i;
    } else {
      out += tmpl[i];
    }
  }
  return std::string(Trim(out));
}

}  // namespace

// One parser list of regexes.yaml: its patterns behind a prefilter, and
// which capture each output field takes by default.
class UserAgentParser::PatternList {
 public:
  // default_group[i]: the capture output field i is when its entry names
  // no replacement for it; 0 for none (the device brand).
  static Result<std::unique_ptr<PatternList>> Compile(std::string_view name,
                                                      const std::vector<UapPattern>& patterns,
                                                      std::vector<int> default_group) {
    auto list = std::unique_ptr<PatternList>(new PatternList(std::move(default_group)));
    list->patterns_ = patterns;
    for (size_t i = 0; i < patterns.size(); ++i) {
      // The flag as an inline group: one set of options for every pattern.
      std::string regex = (patterns[i].ignore_case ? "(?i)" : "") + patterns[i].regex;
      int id = -1;
      if (list->filter_.Add(regex, OptionsWith(kPatternMaxMem), &id) != RE2::NoError ||
          id != static_cast<int>(i)) {
        RE2 refused(regex, OptionsWith(kPatternMaxMem));
        return MakeError(ErrorCode::kInvalidArgument,
                         std::string(name) + " entry " + std::to_string(i + 1) + " '" +
                             patterns[i].regex + "': " + refused.error());
      }
    }
    std::vector<std::string> atoms;
    list->filter_.Compile(&atoms);
    list->atom_count_ = atoms.size();
    // The atoms come lower case; the set folds case instead of lowering a
    // copy of every agent.
    RE2::Options literal = OptionsWith(kPatternMaxMem);
    literal.set_literal(true);
    literal.set_case_sensitive(false);
    list->atoms_ = std::make_unique<RE2::Set>(literal, RE2::UNANCHORED);
    for (const std::string& atom : atoms) {
      std::string error;
      if (list->atoms_->Add(atom, &error) < 0) {
        return MakeError(ErrorCode::kInternal,
                         std::string(name) + ": prefilter atom '" + atom + "': " + error);
      }
    }
    if (!atoms.empty() && !list->atoms_->Compile()) {
      return MakeError(ErrorCode::kInternal, std::string(name) + ": the set of " +
                                                 std::to_string(atoms.size()) +
                                                 " prefilter atoms exceeds RE2's memory budget");
    }
    return list;
  }

  // Fills `fields` (one per default_group) from the first pattern that
  // matches `text`; false, leaving them, when none does.
  bool Match(std::string_view text, std::span<std::string> fields,
             std::atomic<uint64_t>& set_fallbacks) const {
    re2::StringPiece groups[kMaxGroups];
    int group_count = 0;
    int first = -1;
    for (int candidate : Candidates(text, set_fallbacks)) {
      const RE2& re = filter_.GetRE2(candidate);
      group_count = std::min(re.NumberOfCapturingGroups() + 1, kMaxGroups);
      if (re.Match(text, 0, text.size(), RE2::UNANCHORED, groups, group_count)) {
        first = candidate;
        break;
      }
    }
    if (first < 0) return false;
    const UapPattern& pattern = patterns_[first];
    for (size_t i = 0; i < fields.size(); ++i) {
      if (pattern.replacement[i]) {
        fields[i] = Expand(*pattern.replacement[i], groups, group_count);
      } else if (int g = default_group_[i]; g > 0 && g < group_count) {
        fields[i] = std::string(Trim(groups[g]));
      }
    }
    return true;
  }

 private:
  explicit PatternList(std::vector<int> default_group)
      : filter_(kMinAtomLength), default_group_(std::move(default_group)) {}

  // The patterns that may match `text`, in list order: those whose atoms
  // all occur in it (one pass of the atom set), and those with no atom.
  std::vector<int> Candidates(std::string_view text, std::atomic<uint64_t>& set_fallbacks) const {
    std::vector<int> atoms;
    if (atom_count_ > 0) {
      RE2::Set::ErrorInfo info;
      if (!atoms_->Match(text, &atoms, &info) && info.kind != RE2::Set::kNoError) {
        // The atom set's DFA ran out of memory: assume every atom, which
        // makes every pattern a candidate (slow, still right).
        set_fallbacks.fetch_add(1, std::memory_order_relaxed);
        atoms.resize(atom_count_);
        for (size_t i = 0; i < atom_count_; ++i) atoms[i] = static_cast<int>(i);
      }
    }
    std::vector<int> candidates;
    filter_.AllPotentials(atoms, &candidates);
    std::sort(candidates.begin(), candidates.end());
    return candidates;
  }

  re2::FilteredRE2 filter_;  // owns the compiled patterns, in list order
  std::unique_ptr<RE2::Set> atoms_;
  size_t atom_count_ = 0;
  std::vector<UapPattern> patterns_;
  std::vector<int> default_group_;
};

Result<std::unique_ptr<UserAgentParser>> UserAgentParser::Compile(const UapRegexes& regexes) {
  // Without a replacement, the agent's and the OS's fields are captures 1
  // to 4 (5); the device's family and model are both capture 1, its brand
  // only ever a replacement.
  auto agent = PatternList::Compile("user_agent_parsers", regexes.user_agent, {1, 2, 3, 4});
  if (!agent) return agent.error();
  auto os = PatternList::Compile("os_parsers", regexes.os, {1, 2, 3, 4, 5});
  if (!os) return os.error();
  auto device = PatternList::Compile("device_parsers", regexes.device, {1, 0, 1});
  if (!device) return device.error();
  return std::unique_ptr<UserAgentParser>(
      new UserAgentParser(std::move(*agent), std::move(*os), std::move(*device)));
}

UserAgentParser::UserAgentParser(std::unique_ptr<PatternList> agent,
                                 std::unique_ptr<PatternList> os,
                                 std::unique_ptr<PatternList> device)
    : agent_(std::move(agent)), os_(std::move(os)), device_(std::move(device)) {}

UserAgentParser::~UserAgentParser() = default;

UapResult UserAgentParser::Parse(std::string_view user_agent) const {
  return UapResult{ParseAgent(user_agent), ParseOs(user_agent), ParseDevice(user_agent)};
}

UapAgent UserAgentParser::ParseAgent(std::string_view user_agent) const {
  std::string fields[4];
  UapAgent agent;
  if (agent_->Match(user_agent, fields, set_fallbacks_)) {
    if (!fields[0].empty()) agent.family = std::move(fields[0]);
    agent.major = std::move(fields[1]);
    agent.minor = std::move(fields[2]);
    agent.patch = std::move(fields[3]);
  }
  return agent;
}

UapOs UserAgentParser::ParseOs(std::string_view user_agent) const {
  std::string fields[5];
  UapOs os;
  if (os_->Match(user_agent, fields, set_fallbacks_)) {
    if (!fields[0].empty()) os.family = std::move(fields[0]);
    os.major = std::move(fields[1]);
    os.minor = std::move(fields[2]);
    os.patch = std::move(fields[3]);
    os.patch_minor = std::move(fields[4]);
  }
  return os;
}

UapDevice UserAgentParser::ParseDevice(std::string_view user_agent) const {
  std::string fields[3];
  UapDevice device;
  if (device_->Match(user_agent, fields, set_fallbacks_)) {
    if (!fields[0].empty()) device.family = std::move(fields[0]);
    device.brand = std::move(fields[1]);
    device.model = std::move(fields[2]);
  }
  return device;
}

}  // namespace shortlink::classify
