#include "store/packed_counts.h"

#include <algorithm>

namespace shortlink::admin {
namespace {

bool ByKey(const PackedEntry& a, const PackedEntry& b) {
  return a.dimension != b.dimension ? a.dimension < b.dimension : a.value < b.value;
}

// Caps the dimension whose sorted, summed entries are [begin, end), more
// than kMaxValuesPerDimension of them, writing what stays to `out` sorted.
void FoldTail(std::vector<PackedEntry>::iterator begin, std::vector<PackedEntry>::iterator end,
              std::vector<PackedEntry>* out) {
  PackedEntry other{begin->dimension, kFoldedValue, 0};
  // "Other" itself is never among the named values kept: it takes the tail.
  auto named_end = std::partition(begin, end, [&](const PackedEntry& e) {
    if (e.value != kFoldedValue) return true;
    other.count += e.count;
    return false;
  });
  auto keep_end = begin + std::min<ptrdiff_t>(named_end - begin, kMaxValuesPerDimension - 1);
  std::nth_element(begin, keep_end, named_end, [](const PackedEntry& a, const PackedEntry& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  });
  for (auto it = keep_end; it != named_end; ++it) other.count += it->count;
  const size_t first = out->size();
  out->insert(out->end(), begin, keep_end);
  if (other.count > 0) out->push_back(other);
  std::sort(out->begin() + ptrdiff_t(first), out->end(), ByKey);
}

}  // namespace

void AppendPackedRecord(uint8_t dimension, std::string_view value, uint64_t count,
                        std::string* out) {
  wire::PutField(dimension, value, out);
  wire::PutVarint(count, out);
}

bool ReadPacked(std::string_view packed, std::vector<PackedEntry>* entries) {
  const size_t before = entries->size();
  bool ok = ForEachPacked(packed, [&](uint8_t dimension, std::string_view value, uint64_t count) {
    entries->push_back({dimension, value, count});
  });
  if (!ok) entries->resize(before);
  return ok;
}

void EncodeCanonical(std::vector<PackedEntry>* entries, std::string* out) {
  std::vector<PackedEntry>& e = *entries;
  std::sort(e.begin(), e.end(), ByKey);
  // Sum equal pairs in place, dropping zeros.
  size_t n = 0;
  for (size_t i = 0; i < e.size();) {
    PackedEntry sum = e[i];
    for (++i; i < e.size() && e[i].dimension == sum.dimension && e[i].value == sum.value; ++i)
      sum.count += e[i].count;
    if (sum.count > 0) e[n++] = sum;
  }
  e.resize(n);
  // Cap each dimension; most rows have none over it, and are written as is.
  std::vector<PackedEntry> capped;
  bool any_capped = false;
  for (auto begin = e.begin(); begin != e.end();) {
    auto end = std::find_if(begin, e.end(),
                            [&](const PackedEntry& x) { return x.dimension != begin->dimension; });
    if (end - begin > ptrdiff_t(kMaxValuesPerDimension)) {
      if (!any_capped) capped.assign(e.begin(), begin);
      any_capped = true;
      FoldTail(begin, end, &capped);
    } else if (any_capped) {
      capped.insert(capped.end(), begin, end);
    }
    begin = end;
  }
  const std::vector<PackedEntry>& final_entries = any_capped ? capped : e;
  out->clear();
  for (const PackedEntry& x : final_entries) AppendPackedRecord(x.dimension, x.value, x.count, out);
}

void EncodeCanonical(std::string_view records, std::vector<PackedEntry>* scratch,
                     std::string* out) {
  scratch->clear();
  ReadPacked(records, scratch);
  EncodeCanonical(scratch, out);
}

}  // namespace shortlink::admin
