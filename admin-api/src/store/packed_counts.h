// The value of a packed analytics row (store/analytics_keys.h, kinds 'H'
// and 'D'): one link's counts in one hour or day as a map
// (dimension, value) -> count, the total (kTotalDimension, "") included.
// One row per (link, hour) costs a click commit one merge operand where a
// row per (link, hour, dimension, value) cost ~12 (issue 20).
//
// Encoding: records, one after the other, each
//
//   dimension u8 | varint value size | value bytes | varint count
//
// (wire::PutField's tagged field, the dimension as tag, then the count). A
// concatenation of records is a valid, unordered, value: the link writer
// and the rollup append records and encode the canonical form once.
//
// Canonical form (EncodeCanonical, and so every merge result): records
// sorted by (dimension, value bytes), each pair once, every count > 0, and
// at most kMaxValuesPerDimension values per dimension. Two equal maps are
// equal bytes.
//
// The cap: a dimension with very many values in one row (referrer hosts,
// cities of a link shared worldwide) would make the row, and every merge
// and read of it, grow without bound. Past the cap, the dimension keeps its
// kMaxValuesPerDimension - 1 largest counts (ties: the smaller value) and
// the rest are summed into the value kFoldedValue ("Other"), added to any
// "Other" the dimension already had. Sums are exact (every dimension still
// sums to the total); only the long tail's names are lost, and which names
// fold may depend on the order merges happen in.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/wire.h"

namespace shortlink::admin {

inline constexpr size_t kMaxValuesPerDimension = 200;
inline constexpr std::string_view kFoldedValue = "Other";

// One record; `value` points into the bytes it was read from.
struct PackedEntry {
  uint8_t dimension = 0;
  std::string_view value;
  uint64_t count = 0;
};

// Appends one record to `out` (in no order: see EncodeCanonical).
void AppendPackedRecord(uint8_t dimension, std::string_view value, uint64_t count,
                        std::string* out);

// Appends the records of `packed` to `entries`, pointing into `packed`.
// False when malformed; `entries` is then as it was (a malformed value
// counts nothing, as a malformed 8-byte count counts 0).
bool ReadPacked(std::string_view packed, std::vector<PackedEntry>* entries);

// Sorts `entries`, sums equal (dimension, value) pairs, drops zeros,
// applies the cap, and writes the canonical encoding to `out` (replacing
// it). `entries` is left in an unspecified state; `out` must not hold the
// bytes the entries point into.
void EncodeCanonical(std::vector<PackedEntry>* entries, std::string* out);

// The canonical value of `records`, records appended in any order (the
// link writer's and the rollup's): EncodeCanonical of what ReadPacked reads,
// empty when they sum to nothing or are malformed. `scratch` is reused.
void EncodeCanonical(std::string_view records, std::vector<PackedEntry>* scratch, std::string* out);

// Calls fn(uint8_t dimension, std::string_view value, uint64_t count) per
// record of `packed`, in order; false when malformed (fn may have been
// called for the records before the fault).
template <typename Fn>
bool ForEachPacked(std::string_view packed, Fn&& fn) {
  wire::Reader reader(packed);
  while (!reader.done()) {
    uint8_t dimension = 0;
    std::string_view value;
    uint64_t count = 0;
    if (!reader.ReadField(&dimension, &value) || !reader.ReadVarint(&count)) return false;
    fn(dimension, value, count);
  }
  return true;
}

}  // namespace shortlink::admin
