// LinkTable: the redirector's in-memory map from short code to target.
//
// Thread safety: one writer (the applier thread) calls Upsert/Erase/Clear;
// any number of request threads call Find concurrently, without locks and
// without allocating. Readers are protected by userspace RCU (liburcu, the
// "memb" flavour): Find runs inside an RCU read-side critical section, and
// entries (and whole bucket arrays, on growth) that the writer replaces are
// freed only after a grace period, so a reader never touches freed memory.
//
// Every thread that calls Find must be registered with RCU first
// (RcuThreadScope below, for the thread's lifetime).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/link.h"
#include "table/edge_rules.h"

namespace shortlink::redirector {

// RAII registration of the calling thread as an RCU reader.
class RcuThreadScope {
 public:
  RcuThreadScope();
  ~RcuThreadScope();
  RcuThreadScope(const RcuThreadScope&) = delete;
  RcuThreadScope& operator=(const RcuThreadScope&) = delete;
};

// What a lookup sees. Views point into the table's entry and are valid only
// inside the callback passed to Find.
struct LinkView {
  std::string_view code;
  std::string_view long_url;
  LinkState state;
  const EdgeRules* rules;  // null for a link without rules (the plain path)
};

class LinkTable {
 public:
  LinkTable();
  ~LinkTable();  // no reader may be inside Find any more
  LinkTable(const LinkTable&) = delete;
  LinkTable& operator=(const LinkTable&) = delete;

  // Writer side: one thread at a time. The table owns `rules` (may be null)
  // and frees them with the entry, after a grace period.
  void Upsert(std::string_view code, std::string_view long_url, LinkState state,
              std::unique_ptr<EdgeRules> rules = nullptr);
  bool Erase(std::string_view code);  // false when absent
  // Bulk load at start: BeginLoad makes room for about `links` more entries
  // at once; InsertNew adds a code known to be absent (the replica holds
  // each code once) without looking for it first, and may hold the entry
  // back for a few calls to overlap the memory latency of placing it;
  // EndLoad places the rest. Entries still held back are served only after
  // EndLoad (or the next Upsert/Erase, which place them first).
  void BeginLoad(size_t links);
  void InsertNew(std::string_view code, std::string_view long_url, LinkState state,
                 std::unique_ptr<EdgeRules> rules = nullptr);
  void EndLoad();

  // Reader side: calls `visit(const LinkView&)` under the RCU read lock if
  // `code` (already lowercased) is present, and returns whether it was.
  // Allocation-free, lock-free.
  template <typename Visit>
  bool Find(std::string_view code, Visit&& visit) const;

  size_t size() const;          // links held (relaxed; for metrics)
  size_t memory_bytes() const;  // bytes of entries plus bucket arrays (for metrics and tests)

 private:
  struct Impl;
  Impl* impl_;
  // Find's non-template half: returns an entry pointer valid until ReadUnlock.
  const void* LockedLookup(std::string_view code, LinkView* view) const;
  static void ReadLock();
  static void ReadUnlock();
};

template <typename Visit>
bool LinkTable::Find(std::string_view code, Visit&& visit) const {
  ReadLock();
  LinkView view;
  bool found = LockedLookup(code, &view) != nullptr;
  if (found) visit(static_cast<const LinkView&>(view));
  ReadUnlock();
  return found;
}

}  // namespace shortlink::redirector
