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

inline std::string CounterKey(uint64_t team, Month month) {
  return "c" + dbkey::Number(team) + dbkey::Number(month);
}
inline std::string PolicyKey(uint64_t team) { return "p" + dbkey::Number(team); }

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
