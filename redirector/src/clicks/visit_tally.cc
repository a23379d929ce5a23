#include "clicks/visit_tally.h"

namespace shortlink::redirector {
namespace {

constexpr size_t kLinkOverhead = 256;  // key, bucket, a list of ~11 counts
constexpr size_t kValueOverhead = 48;
constexpr size_t kCountsPerClick = 12;  // a click's dimensions, and room for one more

}  // namespace

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

std::vector<VisitTally::Count>& VisitTally::CountsOf(std::string_view link_key) {
  if (auto it = links_.find(link_key); it != links_.end()) return it->second;
  bytes_ += link_key.size() + kLinkOverhead;
  std::vector<Count> counts;
  counts.reserve(kCountsPerClick);  // one allocation for a link's first click
  return links_.emplace(std::string(link_key), std::move(counts)).first->second;
}

void VisitTally::Add(std::vector<Count>* counts, ValueId id, uint64_t n) {
  for (Count& c : *counts) {
    if (c.value == id) {
      c.count += n;
      return;
    }
  }
  counts->push_back({id, n});
}

void VisitTally::Merge(const VisitTally& other) {
  std::vector<ValueId> ids(other.values_.size());
  for (size_t i = 0; i < ids.size(); ++i)
    ids[i] = Intern(other.values_[i].first, other.values_[i].second);
  for (const auto& [key, counts] : other.links_) {
    std::vector<Count>& mine = CountsOf(key);
    for (const Count& c : counts) Add(&mine, ids[c.value], c.count);
    bytes_ += counts.size() * sizeof(Count);
  }
}

const std::vector<VisitTally::Count>* VisitTally::Find(std::string_view link_key) const {
  auto it = links_.find(link_key);
  return it == links_.end() ? nullptr : &it->second;
}

}  // namespace shortlink::redirector
