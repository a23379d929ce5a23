// VisitTally: a second's click analytics in a compact form, from the
// collector through the ledger to the sealed batch: per link, how many
// clicks had each (dimension, value) (common/click_batch.h).
//
// Why not one counter per (link, dimension, value) string: a busy second
// names ~60,000 links x 11 dimensions; building and hashing that many keys
// cost the collector ~5 us a visit (bench_visit_classifier). Here each
// distinct (dimension, value) is interned once per tally, and a link's
// counts are (value id, count) pairs in fixed blocks of one shared array
// (a link's first click fills most of one block): a visit costs one hash
// lookup of its link and a short scan per dimension, and dropping a
// tally frees a few large allocations, not one per link.
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
  using LinkRef = uint32_t;  // a link's first block

  VisitTally();

  // The id of `value` in `dimension`, made on first sight.
  ValueId Intern(uint8_t dimension, std::string_view value);
  uint8_t dimension_of(ValueId id) const { return values_[id].first; }
  const std::string& value_of(ValueId id) const { return values_[id].second; }

  // The link `link_key` (a ClickKey), made with no counts on first sight.
  LinkRef Link(std::string_view link_key);
  // Adds `n` of value `id` to a link's counts.
  void Add(LinkRef link, ValueId id, uint64_t n = 1);
  // Adds all of `other` (its own ids) to this tally.
  void Merge(const VisitTally& other);

  // visit(ValueId, uint64_t count) for each count of `link_key`; false
  // when the tally does not name the link.
  template <typename F>
  bool ForEachCount(std::string_view link_key, F&& visit) const;
  template <typename F>
  void ForEachLink(F&& visit) const {  // visit(std::string_view link_key)
    for (const auto& [key, first] : links_) visit(std::string_view(key));
  }

  bool empty() const { return links_.empty(); }
  size_t links() const { return links_.size(); }
  // A number no other tally had: what the collector's caches of value ids
  // were made for (a moved-from or new tally has a new one).
  uint64_t serial() const { return serial_; }
  // A memory estimate, for the ledger's bound on pending bytes.
  size_t bytes() const {
    return bytes_ + blocks_.size() * sizeof(Block) + links_.size() * kLinkOverhead;
  }

 private:
  static constexpr size_t kBlockCounts = 12;  // a click's 11 dimensions and room for one more
  static constexpr uint32_t kNone = ~uint32_t{0};
  static constexpr size_t kLinkOverhead = 48;  // key, bucket
  struct Block {
    uint32_t used = 0;
    uint32_t next = kNone;
    ValueId value[kBlockCounts];
    uint64_t count[kBlockCounts];
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  boost::unordered_flat_map<std::string, ValueId, Hash, std::equal_to<>>
      ids_;  // dimension byte + value
  std::vector<std::pair<uint8_t, std::string>> values_;
  boost::unordered_flat_map<std::string, LinkRef, Hash, std::equal_to<>> links_;
  std::vector<Block> blocks_;
  std::string scratch_;
  size_t bytes_ = 0;  // of the values
  uint64_t serial_;
};

template <typename F>
bool VisitTally::ForEachCount(std::string_view link_key, F&& visit) const {
  auto it = links_.find(link_key);
  if (it == links_.end()) return false;
  for (uint32_t b = it->second; b != kNone; b = blocks_[b].next) {
    const Block& block = blocks_[b];
    for (uint32_t i = 0; i < block.used; ++i) visit(block.value[i], block.count[i]);
  }
  return true;
}

}  // namespace shortlink::redirector
