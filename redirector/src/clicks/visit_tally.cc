#include "clicks/visit_tally.h"

#include <atomic>

namespace shortlink::redirector {
namespace {

constexpr size_t kValueOverhead = 48;
std::atomic<uint64_t> g_next_serial{1};

}  // namespace

VisitTally::VisitTally() : serial_(g_next_serial.fetch_add(1, std::memory_order_relaxed)) {}

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

VisitTally::LinkRef VisitTally::Link(std::string_view link_key) {
  if (auto it = links_.find(link_key); it != links_.end()) return it->second;
  LinkRef first = static_cast<LinkRef>(blocks_.size());
  blocks_.emplace_back();
  links_.emplace(std::string(link_key), first);
  bytes_ += link_key.size();
  return first;
}

void VisitTally::Add(LinkRef link, ValueId id, uint64_t n) {
  uint32_t b = link;
  for (;;) {
    Block& block = blocks_[b];
    for (uint32_t i = 0; i < block.used; ++i) {
      if (block.value[i] == id) {
        block.count[i] += n;
        return;
      }
    }
    if (block.used < kBlockCounts) {
      block.value[block.used] = id;
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

void VisitTally::Merge(const VisitTally& other) {
  std::vector<ValueId> ids(other.values_.size());
  for (size_t i = 0; i < ids.size(); ++i)
    ids[i] = Intern(other.values_[i].first, other.values_[i].second);
  for (const auto& [key, first] : other.links_) {
    LinkRef mine = Link(key);
    other.ForEachCount(key, [&](ValueId id, uint64_t n) { Add(mine, ids[id], n); });
  }
}

}  // namespace shortlink::redirector
