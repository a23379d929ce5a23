// The keys of the usage table (store/table.h, Table::kUsage):
//
//   'c' team (8 bytes BE) month (8 bytes BE) -> requests counted, 8 bytes BE
//   'p' team (8 bytes BE)                    -> "meter" or "block"
//
// A counter's value is the month's total, not an increment: writing it
// twice (a batch retried after a failed write) cannot count anything twice.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/db_keys.h"
#include "usage/month.h"

namespace shortlink::admin::usage {

// Appended, not "c" + ...: GCC 12 warns (-Wrestrict, a false positive) on
// a literal added before a string.
inline std::string CounterKey(uint64_t team, Month month) {
  std::string key(1, 'c');
  key += dbkey::Number(team);
  key += dbkey::Number(month);
  return key;
}
inline std::string PolicyKey(uint64_t team) {
  std::string key(1, 'p');
  key += dbkey::Number(team);
  return key;
}

// Parses a CounterKey; false for any other key.
inline bool ParseCounterKey(std::string_view key, uint64_t* team, Month* month) {
  uint64_t m = 0;
  if (key.size() != 17 || key[0] != 'c') return false;
  if (!dbkey::ParseNumber(key.substr(1, 8), team) || !dbkey::ParseNumber(key.substr(9), &m))
    return false;
  *month = static_cast<Month>(m);
  return true;
}
inline bool ParsePolicyKey(std::string_view key, uint64_t* team) {
  return key.size() == 9 && key[0] == 'p' && dbkey::ParseNumber(key.substr(1), team);
}

}  // namespace shortlink::admin::usage
