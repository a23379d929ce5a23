#include "links/domain_set.h"

#include <mutex>

namespace shortlink::admin {

void DomainSet::Put(const DomainRecord& domain) {
  std::unique_lock lock(mu_);
  by_host_.insert_or_assign(domain.host, domain);
}

void DomainSet::Remove(std::string_view host) {
  std::unique_lock lock(mu_);
  if (auto it = by_host_.find(host); it != by_host_.end()) by_host_.erase(it);
}

std::optional<DomainRecord> DomainSet::Get(std::string_view host) const {
  std::shared_lock lock(mu_);
  auto it = by_host_.find(host);
  if (it == by_host_.end()) return std::nullopt;
  return it->second;
}

std::vector<DomainRecord> DomainSet::ListTeam(uint64_t team, size_t offset, size_t limit,
                                              size_t* total) const {
  std::shared_lock lock(mu_);
  // A scan of every domain: teams hold a handful each, the deployment some
  // thousands at most.
  std::vector<DomainRecord> page;
  size_t seen = 0;
  for (const auto& [host, domain] : by_host_) {
    if (domain.team != team) continue;
    if (seen >= offset && page.size() < limit) page.push_back(domain);
    ++seen;
  }
  *total = seen;
  return page;
}

size_t DomainSet::size() const {
  std::shared_lock lock(mu_);
  return by_host_.size();
}

}  // namespace shortlink::admin
