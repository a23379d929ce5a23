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

#include "common/link.h"

namespace shortlink::redirector {

// Where applied changes go in memory. In the node that is the LinkTable
// (LinkTableSink, table/link_table_sink.h); tests use a plain map.
class LinkSink {
 public:
  virtual ~LinkSink() = default;
  virtual void Upsert(std::string_view code, std::string_view long_url, LinkState state) = 0;
  virtual void Erase(std::string_view code) = 0;
  // Loading an empty sink: BeginLoad with room for about `links`, then
  // codes known to be absent, then EndLoad, after which all are served.
  // Sinks without a faster way just upsert.
  virtual void BeginLoad(size_t links) {}
  virtual void EndLoad() {}
  virtual void InsertNew(std::string_view code, std::string_view long_url, LinkState state) {
    Upsert(code, long_url, state);
  }
  // A link with rules (link.rules not empty). Sinks that do not evaluate
  // rules keep its code, URL and state.
  virtual void UpsertWithRules(const Link& link) { Upsert(link.code, link.long_url, link.state); }
  virtual void InsertNewWithRules(const Link& link) { UpsertWithRules(link); }
};

}  // namespace shortlink::redirector
