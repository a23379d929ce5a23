// DomainSet: every custom domain (common/domain.h) held in memory, for the
// domain routes' reads (admin-api/src/domains/) and the link writer's
// checks (a link on a domain needs the domain; a domain with links cannot
// go). Kept here, beside the link writer, because the writer is the one
// thread that commits domains: they take change sequence numbers from the
// same log as links (the nodes apply both in one order).
//
// RocksDB (Table::kDomains) is the truth; the set is loaded at start and
// updated by the writer after each durable commit, before the answer.
//
// Thread safety: readers take a shared lock, the writer an exclusive one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/domain.h"

namespace shortlink::admin {

class DomainSet {
 public:
  // Writer side.
  void Put(const DomainRecord& domain);
  void Remove(std::string_view host);

  // Reader side.
  std::optional<DomainRecord> Get(std::string_view host) const;
  // A page of `team`'s domains in host order, and how many it has in all.
  std::vector<DomainRecord> ListTeam(uint64_t team, size_t offset, size_t limit,
                                     size_t* total) const;
  size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, DomainRecord, std::less<>> by_host_;  // GUARDED_BY(mu_)
};

}  // namespace shortlink::admin
