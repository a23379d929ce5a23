#include "clicks/visit_tally.h"

#include <algorithm>
#include <atomic>

namespace shortlink::redirector {
namespace {

constexpr size_t kValueOverhead = 48;
std::atomic<uint64_t> g_next_serial{1};

}  // namespace

size_t VisitTally::ProfileHash::operator()(const Profile& p) const {
  // Ids are small dense numbers: a multiply-xorshift per slot spreads them
  // well enough for the flat map, whose own mixing finishes the job.
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (ValueId v : p.values) {
    h ^= v;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  return static_cast<size_t>(h);
}

VisitTally::VisitTally() : serial_(g_next_serial.fetch_add(1, std::memory_order_relaxed)) {}

void VisitTally::Reserve(size_t links) {
  links_.reserve(links);
  blocks_.reserve(links + links / 4);  // a few links have more than kBlockCounts profiles
}

VisitTally::ValueId VisitTally::Intern(uint8_t dimension, std::string_view value) {
  scratch_.clear();
  scratch_.push_back(static_cast<char>(dimension));
  scratch_.append(value);
  if (auto it = ids_.find(std::string_view(scratch_)); it != ids_.end()) return it->second;
  ValueId id = static_cast<ValueId>(values_.size());
  values_.emplace_back(dimension, std::string(value));
  ids_.emplace(scratch_, id);
  bytes_ += 2 * value.size() + kValueOverhead;
  return id;
}

VisitTally::ProfileId VisitTally::Intern(const Profile& profile) {
  auto [it, made] = profile_ids_.try_emplace(profile, static_cast<ProfileId>(profiles_.size()));
  if (made) profiles_.push_back(profile);
  return it->second;
}

VisitTally::LinkRef VisitTally::Link(std::string_view link_key) {
  if (auto it = links_.find(link_key); it != links_.end()) return it->second;
  LinkRef first = static_cast<LinkRef>(blocks_.size());
  blocks_.emplace_back();
  links_.emplace(std::string(link_key), first);
  bytes_ += link_key.size();
  return first;
}

void VisitTally::AddProfile(LinkRef link, ProfileId id, uint64_t n) {
  uint32_t b = link;
  for (;;) {
    Block& block = blocks_[b];
    for (uint32_t i = 0; i < block.used; ++i) {
      if (block.profile[i] == id) {
        block.count[i] += n;
        return;
      }
    }
    if (block.used < kBlockCounts) {
      block.profile[block.used] = id;
      block.count[block.used] = n;
      ++block.used;
      return;
    }
    if (block.next == kNone) {
      uint32_t added = static_cast<uint32_t>(blocks_.size());
      blocks_.emplace_back();  // may move the blocks: `block` is not used after this
      blocks_[b].next = added;
    }
    b = blocks_[b].next;
  }
}

void VisitTally::Add(LinkRef link, ValueId id, uint64_t n) {
  Profile one;
  one.values[0] = id;
  AddProfile(link, Intern(one), n);
}

void VisitTally::SumValues(LinkRef link) const {
  sums_.clear();
  for (uint32_t b = link; b != kNone; b = blocks_[b].next) {
    const Block& block = blocks_[b];
    for (uint32_t i = 0; i < block.used; ++i) {
      for (ValueId v : profiles_[block.profile[i]].values)
        if (v != kNoValue) sums_.emplace_back(v, block.count[i]);
    }
  }
  std::sort(sums_.begin(), sums_.end());
  size_t out = 0;
  for (size_t i = 0; i < sums_.size(); ++i) {
    if (out > 0 && sums_[out - 1].first == sums_[i].first) {
      sums_[out - 1].second += sums_[i].second;
    } else {
      sums_[out++] = sums_[i];
    }
  }
  sums_.resize(out);
}

void VisitTally::Merge(const VisitTally& other) {
  std::vector<ValueId> ids(other.values_.size());
  for (size_t i = 0; i < ids.size(); ++i)
    ids[i] = Intern(other.values_[i].first, other.values_[i].second);
  std::vector<ProfileId> profiles(other.profiles_.size());
  for (size_t i = 0; i < profiles.size(); ++i) {
    Profile mapped = other.profiles_[i];
    for (ValueId& v : mapped.values)
      if (v != kNoValue) v = ids[v];
    profiles[i] = Intern(mapped);
  }
  for (const auto& [key, first] : other.links_) {
    LinkRef mine = Link(key);
    AddClick(mine, other.blocks_[first].clicks);
    for (uint32_t b = first; b != kNone; b = other.blocks_[b].next) {
      const Block& block = other.blocks_[b];
      for (uint32_t i = 0; i < block.used; ++i)
        AddProfile(mine, profiles[block.profile[i]], block.count[i]);
    }
  }
}

}  // namespace shortlink::redirector
