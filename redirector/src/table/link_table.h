// LinkTable: the redirector's in-memory map from a link's identity,
// (domain, code), to its target.
//
// Domains: every link of the default domain (domain "") is stored exactly
// as before domains existed. Any other domain is interned into a 16-bit id
// (the default domain is 0) that a link's entry keeps only when it is not 0,
// so a table of default-domain links costs no byte more. Readers map the
// request's Host header to a domain id through a small host map that the
// writer changes under RCU whenever a domain becomes known (its first link,
// or admin-api's domain record: SetDomain) or stops being known. The map
// also holds each custom domain's settings (where "/" and an unknown code
// redirect), so one lookup per request answers both.
//
// Thread safety: one writer (the applier thread) calls Upsert/Erase/InsertNew;
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
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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
  std::string_view domain;  // the link's domain, lowercase; empty: the default one
  std::string_view code;
  std::string_view long_url;
  LinkState state;
  const EdgeRules* rules;  // null for a link without rules (the plain path)
};

// How a request's Host header resolves (LinkTable::Resolve).
enum class HostKind : uint8_t {
  // The default domain: no Host, an IP address, localhost, a default host,
  // or any host while no custom domain is known.
  kDefault,
  kCustom,   // a custom domain the node knows (admin-api's record, or links on it)
  kUnknown,  // any other name
};

// What a Host header names. Views are valid only inside Resolve's callback.
struct DomainView {
  HostKind kind = HostKind::kDefault;
  std::string_view domain;         // kCustom: the host as stored (lowercase)
  std::string_view root_redirect;  // kCustom: where "/" redirects; empty: none
  std::string_view not_found_url;  // kCustom: where an unknown code redirects; empty: none
};

class LinkTable {
 public:
  LinkTable();
  ~LinkTable();  // no reader may be inside Find any more
  LinkTable(const LinkTable&) = delete;
  LinkTable& operator=(const LinkTable&) = delete;

  // Writer side: one thread at a time. The table owns `rules` (may be null)
  // and frees them with the entry, after a grace period. Upsert returns
  // false, storing nothing, for what no entry can hold: a code over 255 or a
  // URL over 65,535 bytes (admin-api allows 64 and 2,048), a domain over 253,
  // or a 65,536th domain.
  bool Upsert(LinkKey key, std::string_view long_url, LinkState state,
              std::unique_ptr<EdgeRules> rules = nullptr);
  bool Erase(LinkKey key);  // false when absent
  // The same on the default domain, for callers that know no domains.
  bool Upsert(std::string_view code, std::string_view long_url, LinkState state,
              std::unique_ptr<EdgeRules> rules = nullptr) {
    return Upsert(LinkKey{{}, code}, long_url, state, std::move(rules));
  }
  bool Erase(std::string_view code) { return Erase(LinkKey{{}, code}); }
  // Bulk load at start: BeginLoad makes room for about `links` more entries
  // at once; InsertNew adds a code known to be absent (the replica holds
  // each code once) without looking for it first, and may hold the entry
  // back for a few calls to overlap the memory latency of placing it;
  // EndLoad places the rest. Entries still held back are served only after
  // EndLoad (or the next Upsert/Erase, which place them first).
  void BeginLoad(size_t links);
  bool InsertNew(LinkKey key, std::string_view long_url, LinkState state,
                 std::unique_ptr<EdgeRules> rules = nullptr);
  bool InsertNew(std::string_view code, std::string_view long_url, LinkState state,
                 std::unique_ptr<EdgeRules> rules = nullptr) {
    return InsertNew(LinkKey{{}, code}, long_url, state, std::move(rules));
  }
  void EndLoad();

  // Custom domains (writer side). SetDomain makes `host` (lowercase, as
  // stored) known with what "/" and an unknown code on it answer (empty:
  // the 404 page), or changes that; false for a host over 253 bytes or a
  // 65,536th domain. RemoveDomain forgets the settings (false when there
  // were none); links still on the host stay served. O(1) amortized.
  bool SetDomain(std::string_view host, std::string_view root_redirect,
                 std::string_view not_found_url);
  bool RemoveDomain(std::string_view host);
  // The default domain's own host names (lowercase, no port), besides the
  // ones every node treats as its own: no Host, IP addresses, localhost.
  // Call before any reader starts.
  void SetDefaultHosts(std::vector<std::string> hosts);

  // Reader side: calls `visit(const LinkView&)` under the RCU read lock if
  // the link is present, and returns whether it was. Allocation-free,
  // lock-free. `code` is already lowercased.
  //
  // By Host: `host` is the request's Host header as sent. It is matched
  // case-insensitively, without its port and one trailing dot; a host that
  // names no domain holding links (an IP address, the public URL's host, an
  // unknown name, no Host at all) means the default domain.
  template <typename Visit>
  bool Find(std::string_view host, std::string_view code, Visit&& visit) const;
  // On the default domain.
  template <typename Visit>
  bool Find(std::string_view code, Visit&& visit) const;

  // What a request's Host names, and the link `code` names there: calls
  // `visit(const DomainView&, const LinkView*)` under one RCU read lock,
  // the link null when absent, when `code` is empty, or when the host is
  // kUnknown (no lookup: the caller decides what an unknown host gets).
  // Unlike Find, an unknown host is not the default domain here; but while
  // the table knows no custom domain, every host is the default domain's
  // (nothing to tell it from: the Host header is not even read).
  // Allocation-free, lock-free.
  template <typename Visit>
  void Resolve(std::string_view host, std::string_view code, Visit&& visit) const;

  // Every link, for checks that need the whole set (table/table_digest.h):
  // calls `visit(const LinkView&)` for each, in no particular order, inside
  // one RCU read-side section (a reader's view: lock-free, and the writer
  // goes on meanwhile). A change made during the walk may or may not be
  // seen; a caller that needs one state brackets the walk
  // (sync/change_gate.h). The calling thread must be registered with RCU.
  // O(capacity): ~50-60 ms per 1M links; not for request threads.
  void ForEach(const std::function<void(const LinkView&)>& visit) const;

  size_t size() const;          // links held (relaxed; for metrics)
  size_t domains() const;       // domains other than the default one holding links (writer's view)
  size_t memory_bytes() const;  // bytes of entries plus bucket arrays (for metrics and tests)

 private:
  struct Impl;
  Impl* impl_;
  // Find's non-template halves, called under the read lock: the domain id a
  // Host header names (0 for the default domain), and the entry of
  // (domain id, code) as a pointer valid until ReadUnlock.
  uint16_t LockedDomainOf(std::string_view host, std::string_view* domain) const;
  uint16_t LockedResolveHost(std::string_view host, DomainView* view) const;
  const void* LockedLookup(uint16_t domain, std::string_view code, LinkView* view) const;
  static void ReadLock();
  static void ReadUnlock();
};

template <typename Visit>
bool LinkTable::Find(std::string_view host, std::string_view code, Visit&& visit) const {
  ReadLock();
  LinkView view;
  // One read-side section for both steps: the domain id cannot be released
  // and given to another domain between them.
  uint16_t domain = LockedDomainOf(host, &view.domain);
  bool found = LockedLookup(domain, code, &view) != nullptr;
  if (found) visit(static_cast<const LinkView&>(view));
  ReadUnlock();
  return found;
}

template <typename Visit>
void LinkTable::Resolve(std::string_view host, std::string_view code, Visit&& visit) const {
  ReadLock();
  DomainView domain;
  uint16_t id = LockedResolveHost(host, &domain);
  LinkView view;
  const LinkView* found = nullptr;
  if (domain.kind != HostKind::kUnknown && !code.empty() &&
      LockedLookup(id, code, &view) != nullptr) {
    view.domain = domain.domain;
    found = &view;
  }
  visit(static_cast<const DomainView&>(domain), found);
  ReadUnlock();
}

template <typename Visit>
bool LinkTable::Find(std::string_view code, Visit&& visit) const {
  ReadLock();
  LinkView view;
  bool found = LockedLookup(0, code, &view) != nullptr;
  if (found) visit(static_cast<const LinkView&>(view));
  ReadUnlock();
  return found;
}

}  // namespace shortlink::redirector
