// uap-core's regexes.yaml read into plain structs, before any regex is
// compiled (user_agent_parser.h compiles them). Also the reader of the
// YAML shape both regexes.yaml and uap's conformance files have: a top
// level mapping of names to lists of flat mappings of scalars.
//
// Why libyaml and not a line reader: the file uses both quote styles,
// escapes and comments, and uap may reflow it in any release.
//
// Thread safety: pure functions.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace shortlink::classify {

// One mapping of a list: key to scalar value; std::nullopt is YAML's null
// (an empty plain value, "~" or "null"), as in "patch:" of uap's tests.
using YamlRecord = std::map<std::string, std::optional<std::string>, std::less<>>;

// Every top level key of the document at `path` with its list of records.
// Anything else (nested lists or mappings in a record, aliases, several
// documents) is an error naming the line.
Result<std::map<std::string, std::vector<YamlRecord>, std::less<>>> ReadYamlRecordLists(
    const std::string& path);

// One entry of a parser list. `replacement[i]` is the template of output
// field i, in the order of the list's fields (UapFields), when the entry
// names one; it may hold $1..$9.
struct UapPattern {
  std::string regex;
  bool ignore_case = false;  // regex_flag: 'i'
  std::array<std::optional<std::string>, 5> replacement;
};

// The fields each list fills, in order, and their replacement keys:
//   user_agent: family, major, minor, patch        (family_replacement, v1_replacement...)
//   os:         family, major, minor, patch, patch_minor (os_replacement, os_v1_replacement...)
//   device:     family, brand, model               (device_replacement, brand_replacement...)
struct UapRegexes {
  std::vector<UapPattern> user_agent;
  std::vector<UapPattern> os;
  std::vector<UapPattern> device;
};

// Reads regexes.yaml; a missing list or an entry without `regex` is an
// error naming the file.
Result<UapRegexes> ReadUapRegexes(const std::string& path);

}  // namespace shortlink::classify
