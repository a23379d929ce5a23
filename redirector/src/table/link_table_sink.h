// LinkTableSink: the node's LinkTable as the sink the sync code writes to.
//
// In a header of its own, included only where the node is wired: code that
// merely sees this final class may have calls devirtualized into it, which
// would tie the sync library and its tests to the table's implementation.
//
// Thread safety: that of LinkTable's writer side (one applier thread).
#pragma once

#include "table/link_sink.h"
#include "table/link_table.h"

namespace shortlink::redirector {

class LinkTableSink final : public LinkSink {
 public:
  explicit LinkTableSink(LinkTable* table) : table_(table) {}
  void Upsert(LinkKey key, std::string_view long_url, LinkState state) override {
    table_->Upsert(key, long_url, state);
  }
  void Erase(LinkKey key) override { table_->Erase(key); }
  void BeginLoad(size_t links) override { table_->BeginLoad(links); }
  void EndLoad() override { table_->EndLoad(); }
  void InsertNew(LinkKey key, std::string_view long_url, LinkState state) override {
    table_->InsertNew(key, long_url, state);
  }
  void UpsertWithRules(const Link& link) override {
    table_->Upsert(KeyOf(link), link.long_url, link.state, std::make_unique<EdgeRules>(link));
  }
  void InsertNewWithRules(const Link& link) override {
    table_->InsertNew(KeyOf(link), link.long_url, link.state, std::make_unique<EdgeRules>(link));
  }
  void UpsertDomain(const DomainRecord& domain) override {
    table_->SetDomain(domain.host, domain.root_redirect, domain.not_found_url);
  }
  void EraseDomain(std::string_view host) override { table_->RemoveDomain(host); }

 private:
  LinkTable* table_;
};

}  // namespace shortlink::redirector
