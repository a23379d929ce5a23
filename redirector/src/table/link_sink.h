// LinkSink: the writer's side of an in-memory link table, as the sync code
// (sync/change_applier.h) sees it. Kept abstract, and apart from the table,
// so that the sync code and its tests do not depend on the table's
// implementation.
//
// Thread safety: one writer at a time (the applier thread); what readers
// see meanwhile is up to the implementation.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/domain.h"
#include "common/link.h"

namespace shortlink::redirector {

// Where applied changes go in memory. In the node that is the LinkTable
// (LinkTableSink, table/link_table_sink.h); tests use a plain map.
class LinkSink {
 public:
  virtual ~LinkSink() = default;
  // A link is identified by (domain, code), domain "" the default one
  // (common/link.h).
  virtual void Upsert(LinkKey key, std::string_view long_url, LinkState state) = 0;
  virtual void Erase(LinkKey key) = 0;
  // Loading an empty sink: BeginLoad with room for about `links`, then
  // links known to be absent, then EndLoad, after which all are served.
  // Sinks without a faster way just upsert.
  virtual void BeginLoad(size_t links) {}
  virtual void EndLoad() {}
  virtual void InsertNew(LinkKey key, std::string_view long_url, LinkState state) {
    Upsert(key, long_url, state);
  }
  // A link with rules (link.rules not empty). Sinks that do not evaluate
  // rules keep its key, URL and state.
  virtual void UpsertWithRules(const Link& link) { Upsert(KeyOf(link), link.long_url, link.state); }
  virtual void InsertNewWithRules(const Link& link) { UpsertWithRules(link); }
  // Custom domains (common/domain.h): what "/" and an unknown code on a
  // host answer. Sinks that serve no requests ignore them.
  virtual void UpsertDomain(const DomainRecord& domain) {}
  virtual void EraseDomain(std::string_view host) {}
};

}  // namespace shortlink::redirector
