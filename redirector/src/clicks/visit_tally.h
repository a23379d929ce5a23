// VisitTally: a second's click analytics in a compact form, from the
// collector through the ledger to the sealed batch: per link, how many
// clicks had each (dimension, value) (common/click_batch.h).
//
// Why not one counter per (link, dimension, value) string: a busy second
// names ~60,000 links x 11 dimensions; building and hashing that many keys
// cost the collector ~5 us a visit (bench_visit_classifier). Here each
// distinct (dimension, value) is interned once per tally, and so is each
// distinct profile: the values one visit had, one per dimension (most
// visits of a second share a few hundred profiles). A link's counts are
// (profile, count) pairs in fixed blocks of one shared array, so a visit
// costs one hash lookup of its link and one of its profile, and one short
// scan; a link's per-value counts are summed from its profiles only when
// the second is sealed. Dropping a tally frees a few large allocations, not
// one per link.
//
// Thread safety: none (the collector fills it, under the flusher's lock;
// the flusher takes it whole).
#pragma once

#include <array>
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
  using ProfileId = uint32_t;
  using LinkRef = uint32_t;  // a link's first block
  static constexpr ValueId kNoValue = ~ValueId{0};
  static constexpr size_t kProfileSlots = 12;  // a click's 11 dimensions and room for one more

  // The values of one visit, each in its own slot (the caller's choice,
  // one per dimension); kNoValue where the visit has none.
  struct Profile {
    std::array<ValueId, kProfileSlots> values;
    Profile() { values.fill(kNoValue); }
    bool operator==(const Profile&) const = default;
  };

  VisitTally();
  // Room for `links` links without rehashing or moving blocks: a second
  // like the last one then makes no growth copies as it fills.
  void Reserve(size_t links);

  // The id of `value` in `dimension`, made on first sight.
  ValueId Intern(uint8_t dimension, std::string_view value);
  uint8_t dimension_of(ValueId id) const { return values_[id].first; }
  const std::string& value_of(ValueId id) const { return values_[id].second; }
  // The id of `profile`, made on first sight.
  ProfileId Intern(const Profile& profile);

  // The link `link_key` (a ClickKey), made with no counts on first sight.
  LinkRef Link(std::string_view link_key);
  // Adds `n` visits of profile `id` to a link's counts.
  void AddProfile(LinkRef link, ProfileId id, uint64_t n = 1);
  // Adds `n` of the one value `id` to a link's counts.
  void Add(LinkRef link, ValueId id, uint64_t n = 1);
  // Adds `n` clicks to a link's total: kept here, beside its profiles, so
  // that a visit costs one lookup of its link, not a second one in the
  // click counts (ForEachLinkClicks hands them over once a second).
  void AddClick(LinkRef link, uint64_t n = 1) { blocks_[link].clicks += n; }
  // Adds all of `other` (its own ids) to this tally.
  void Merge(const VisitTally& other);

  // visit(ValueId, uint64_t count) once for each value of `link_key`, its
  // count summed over the link's profiles; false when the tally does not
  // name the link.
  template <typename F>
  bool ForEachCount(std::string_view link_key, F&& visit) const;
  template <typename F>
  void ForEachLink(F&& visit) const {  // visit(std::string_view link_key)
    for (const auto& [key, first] : links_) visit(std::string_view(key));
  }
  // visit(std::string_view link_key, uint64_t clicks) for every link with clicks.
  template <typename F>
  void ForEachLinkClicks(F&& visit) const {
    for (const auto& [key, first] : links_)
      if (blocks_[first].clicks > 0) visit(std::string_view(key), blocks_[first].clicks);
  }
  // The clicks of `link_key` (0 when the tally does not name it).
  uint64_t clicks(std::string_view link_key) const {
    auto it = links_.find(link_key);
    return it == links_.end() ? 0 : blocks_[it->second].clicks;
  }

  bool empty() const { return links_.empty(); }
  size_t links() const { return links_.size(); }
  // A number no other tally had: what the collector's caches of value ids
  // were made for (a moved-from or new tally has a new one).
  uint64_t serial() const { return serial_; }
  // A memory estimate, for the ledger's bound on pending bytes.
  size_t bytes() const {
    return bytes_ + blocks_.size() * sizeof(Block) + links_.size() * kLinkOverhead +
           profiles_.size() * (sizeof(Profile) + kProfileOverhead);
  }

 private:
  static constexpr size_t kBlockCounts = 4;  // a link's profiles in a second: most have one
  static constexpr uint32_t kNone = ~uint32_t{0};
  static constexpr size_t kLinkOverhead = 48;     // key, bucket
  static constexpr size_t kProfileOverhead = 16;  // bucket
  struct Block {
    uint32_t used = 0;
    uint32_t next = kNone;
    ProfileId profile[kBlockCounts];
    uint64_t count[kBlockCounts];
    uint64_t clicks = 0;  // the link's, in its first block; a cache line in all
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct ProfileHash {
    size_t operator()(const Profile& p) const;
  };
  // (value, count) of a link, summed: ForEachCount's scratch.
  void SumValues(LinkRef link) const;

  boost::unordered_flat_map<std::string, ValueId, Hash, std::equal_to<>>
      ids_;  // dimension byte + value
  std::vector<std::pair<uint8_t, std::string>> values_;
  boost::unordered_flat_map<Profile, ProfileId, ProfileHash> profile_ids_;
  std::vector<Profile> profiles_;
  boost::unordered_flat_map<std::string, LinkRef, Hash, std::equal_to<>> links_;
  std::vector<Block> blocks_;
  std::string scratch_;
  mutable std::vector<std::pair<ValueId, uint64_t>> sums_;
  size_t bytes_ = 0;  // of the values
  uint64_t serial_;
};

template <typename F>
bool VisitTally::ForEachCount(std::string_view link_key, F&& visit) const {
  auto it = links_.find(link_key);
  if (it == links_.end()) return false;
  SumValues(it->second);
  for (const auto& [id, count] : sums_) visit(id, count);
  return true;
}

}  // namespace shortlink::redirector
