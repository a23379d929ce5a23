// VisitTally: a second's click analytics in a compact form, from the
// collector through the ledger to the sealed batch: per link, how many
// clicks had each (dimension, value) (common/click_batch.h).
//
// Why not one counter per (link, dimension, value) string: a busy second
// names ~60,000 links x 11 dimensions; building and hashing that many keys
// cost the collector ~5 us a visit (bench_visit_classifier). Here each
// distinct (dimension, value) is interned once per tally, and a link holds
// a short list of (value id, count) pairs: a visit costs one hash lookup
// of its link and a scan of that short list per dimension.
//
// Thread safety: none (the collector fills it, under the flusher's lock;
// the flusher takes it whole).
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shortlink::redirector {

class VisitTally {
 public:
  using ValueId = uint32_t;
  struct Count {
    ValueId value;
    uint64_t count;
  };

  // The id of `value` in `dimension`, made on first sight.
  ValueId Intern(uint8_t dimension, std::string_view value);
  uint8_t dimension_of(ValueId id) const { return values_[id].first; }
  const std::string& value_of(ValueId id) const { return values_[id].second; }

  // The counts of `link_key` (a ClickKey), made empty on first sight.
  std::vector<Count>& CountsOf(std::string_view link_key);
  // Adds `n` of value `id` to a link's counts.
  static void Add(std::vector<Count>* counts, ValueId id, uint64_t n = 1);
  // Adds all of `other` (its own ids) to this tally.
  void Merge(const VisitTally& other);

  // The link's counts, or null.
  const std::vector<Count>* Find(std::string_view link_key) const;
  template <typename F>
  void ForEachLink(
      F&& visit) const {  // visit(std::string_view link_key, const std::vector<Count>&)
    for (const auto& [key, counts] : links_) visit(std::string_view(key), counts);
  }

  bool empty() const { return links_.empty(); }
  size_t links() const { return links_.size(); }
  // A memory estimate, for the ledger's bound on pending bytes.
  size_t bytes() const { return bytes_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  boost::unordered_flat_map<std::string, ValueId, Hash, std::equal_to<>>
      ids_;  // dimension byte + value
  std::vector<std::pair<uint8_t, std::string>> values_;
  boost::unordered_flat_map<std::string, std::vector<Count>, Hash, std::equal_to<>> links_;
  std::string scratch_;
  size_t bytes_ = 0;
};

}  // namespace shortlink::redirector
