// LinkTable's layout and reclamation.
//
// Layout (memory is the edge's main cost at 10M links):
//   - an array of 64-bit slots, open addressing with linear probing, kept
//     at most 3/4 full (live entries plus tombstones) and resized to 3/5
//     full: any capacity, not a power of two, so a million links take
//     about 1.5M slots rather than 2M;
//   - a slot holds an entry pointer in its low 48 bits and a 16-bit tag of
//     the code's hash in its top 16 bits: a probe dereferences only entries
//     whose tag matches, so a lookup costs one cache miss for the slot and
//     one for its entry, not one per entry of the probe run;
//   - one malloc'ed block per link: a 4-byte header, then the code and URL
//     bytes, then, only for a link off the default domain, its 16-bit
//     domain id, then, only for a link with rules, a pointer to its
//     EdgeRules. A flag bit says whether each is there, so a default-domain
//     link without rules is exactly what it was before domains;
//     no per-entry RCU head: a replaced entry is handed to call_rcu in a
//     small node allocated at retirement;
//   - the key is (domain id, code): the hash mixes the id into the seed
//     (the default domain's hash is the code's alone), and a match compares
//     both;
//   - domains are interned by the writer (DomainRegistry); readers map a
//     Host header to an id and the domain's settings through a HostMap of
//     immutable entries, which the writer changes in place (O(1) amortized
//     per domain) and rebuilds only to grow.
// At 1M links that is about 12 bytes of slot plus 4 of header plus malloc's
// 8-16 bytes per link: ~30 bytes beyond the code and URL.
//
// Publication uses std::atomic (release stores, acquire loads) so that both
// the compiler and ThreadSanitizer see the ordering. Reclamation uses
// liburcu's memb flavour: readers mark their critical sections, the writer
// defers each free until every reader that might hold the pointer is gone.
#define _LGPL_SOURCE  // liburcu's inline read-side fast path
#include "table/link_table.h"

#include <sys/mman.h>
#include <urcu/urcu-memb.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/hash64.h"
#include "common/validation.h"
#include "table/host_name.h"

#if defined(__SANITIZE_THREAD__)
// liburcu is not built with TSan, so TSan cannot see that a grace period
// separates a reader's last access from the free. Tell it: every read-side
// unlock releases, every deferred free acquires.
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#define SHORTLINK_TSAN_RELEASE(p) __tsan_release(p)
#define SHORTLINK_TSAN_ACQUIRE(p) __tsan_acquire(p)
#else
#define SHORTLINK_TSAN_RELEASE(p) ((void)(p))
#define SHORTLINK_TSAN_ACQUIRE(p) ((void)(p))
#endif

namespace shortlink::redirector {
namespace {

char g_grace_period_marker;  // the address TSan annotations synchronize on

constexpr uint8_t kStateMask = 1;      // LinkState
constexpr uint8_t kHasRulesFlag = 2;   // an EdgeRules pointer follows the URL (and domain id)
constexpr uint8_t kHasDomainFlag = 4;  // a domain id (not 0) follows the URL

using DomainId = uint16_t;
constexpr DomainId kDefaultDomain = 0;
constexpr size_t kMaxDomains = 65535;  // ids 1..65535; 0 is the default domain

struct Entry {
  uint8_t code_len;  // codes are at most 64 bytes
  uint8_t flags;     // the state, kHasRulesFlag, kHasDomainFlag
  uint16_t url_len;
  char bytes[];  // code, URL, then (unaligned) the domain id and the EdgeRules pointer

  std::string_view code() const { return {bytes, code_len}; }
  std::string_view url() const { return {bytes + code_len, url_len}; }
  LinkState state() const { return static_cast<LinkState>(flags & kStateMask); }
  DomainId domain() const {
    if (!(flags & kHasDomainFlag)) return kDefaultDomain;
    DomainId id;
    memcpy(&id, bytes + code_len + url_len, sizeof id);
    return id;
  }
  EdgeRules* rules() const {
    if (!(flags & kHasRulesFlag)) return nullptr;
    EdgeRules* r;
    memcpy(&r, bytes + code_len + url_len + (flags & kHasDomainFlag ? sizeof(DomainId) : 0),
           sizeof r);
    return r;
  }
};

// Bytes of an entry's block: the header without its tail padding, then the
// code and URL, then the domain id off the default domain, then the rules
// pointer when there are rules.
constexpr size_t kEntryHeader = offsetof(Entry, bytes);
size_t EntryBytes(size_t code_size, size_t url_size, DomainId domain, bool has_rules) {
  return kEntryHeader + code_size + url_size + (domain != kDefaultDomain ? sizeof(DomainId) : 0) +
         (has_rules ? sizeof(EdgeRules*) : 0);
}
size_t EntryBytes(const Entry* e) {
  return EntryBytes(e->code_len, e->url_len, e->domain(), e->rules());
}

void FreeEntry(Entry* e) {
  delete e->rules();
  free(e);
}

// A slot word: tag << 48 | pointer. User-space pointers on x86-64 and
// AArch64 fit in 48 bits (Linux hands out higher addresses only to mmap
// calls that ask for them), which NewEntry checks.
constexpr int kTagShift = 48;
constexpr uint64_t kPointerMask = (uint64_t{1} << kTagShift) - 1;
constexpr uint64_t kEmpty = 0;
constexpr uint64_t kTombstone = 1;  // no entry is at address 1; tag 0

Entry* EntryOf(uint64_t word) { return reinterpret_cast<Entry*>(word & kPointerMask); }
bool IsEntry(uint64_t word) { return word > kTombstone; }

struct Table {
  size_t capacity;
  void* mapping;  // non-null: a large table in its own huge-page mapping
  size_t mapping_bytes;
  std::atomic<uint64_t> slots[];  // capacity of them
};

// Codes hash with a seed drawn per process (common/hash64.h).
uint64_t HashBytes(std::string_view code, uint64_t seed) { return HashBytes64(code, seed); }

// The hash of (domain, code): the domain id varies the seed, so the default
// domain's links hash as they did before domains.
uint64_t HashKey(DomainId domain, std::string_view code, uint64_t seed) {
  return HashBytes(code, seed + domain * 0x9e3779b97f4a7c15ull);
}

// The slot a probe starts at: the hash's low 32 bits scaled to the capacity
// (multiply-shift, no modulo). The tag comes from the top bits, so the two
// are independent.
size_t HomeSlot(uint64_t hash, size_t capacity) {
  return static_cast<size_t>((static_cast<uint64_t>(static_cast<uint32_t>(hash)) * capacity) >> 32);
}
uint64_t TagOf(uint64_t hash) { return hash >> kTagShift << kTagShift; }
size_t NextSlot(size_t i, size_t capacity) { return i + 1 == capacity ? 0 : i + 1; }

// A large slot array is its own mapping, aligned to and advised for 2 MiB
// pages: a lookup in a 10M-link table (133 MB of slots) then misses the TLB
// far less often, which is most of a probe's cost at that size. Best effort:
// with transparent huge pages off it is an ordinary mapping.
constexpr size_t kHugePage = size_t{2} << 20;

Table* NewTable(size_t capacity) {
  size_t bytes = sizeof(Table) + capacity * sizeof(std::atomic<uint64_t>);
  if (bytes < 2 * kHugePage) {
    void* raw = calloc(1, bytes);
    if (!raw) throw std::bad_alloc();
    Table* t = static_cast<Table*>(raw);
    t->capacity = capacity;
    return t;  // calloc's zeroes are empty slots on every platform we build for
  }
  size_t mapping_bytes = bytes + kHugePage;  // room to align the start
  void* mapping =
      mmap(nullptr, mapping_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) throw std::bad_alloc();
  uintptr_t start = (reinterpret_cast<uintptr_t>(mapping) + kHugePage - 1) & ~(kHugePage - 1);
  madvise(reinterpret_cast<void*>(start), bytes, MADV_HUGEPAGE);
  Table* t = reinterpret_cast<Table*>(start);  // zero-filled pages: empty slots
  t->capacity = capacity;
  t->mapping = mapping;
  t->mapping_bytes = mapping_bytes;
  return t;
}

void FreeTable(Table* t) {
  if (t->mapping)
    munmap(t->mapping, t->mapping_bytes);
  else
    free(t);
}

Entry* NewEntry(DomainId domain, std::string_view code, std::string_view url, LinkState state,
                std::unique_ptr<EdgeRules> rules) {
  Entry* e =
      static_cast<Entry*>(malloc(EntryBytes(code.size(), url.size(), domain, rules != nullptr)));
  if (!e) throw std::bad_alloc();
  if (reinterpret_cast<uintptr_t>(e) & ~kPointerMask) abort();  // see kTagShift
  e->code_len = static_cast<uint8_t>(code.size());
  e->flags = static_cast<uint8_t>(state) | (rules ? kHasRulesFlag : 0) |
             (domain != kDefaultDomain ? kHasDomainFlag : 0);
  e->url_len = static_cast<uint16_t>(url.size());
  char* tail = e->bytes;
  memcpy(tail, code.data(), code.size());
  tail += code.size();
  memcpy(tail, url.data(), url.size());
  tail += url.size();
  if (domain != kDefaultDomain) {
    memcpy(tail, &domain, sizeof domain);
    tail += sizeof domain;
  }
  if (rules) {
    EdgeRules* owned = rules.release();
    memcpy(tail, &owned, sizeof owned);
  }
  return e;
}

// The readers' view of the domains: host name -> domain id and settings,
// for the domains a node knows (configured by admin-api, or holding links).
// Open addressing on a power-of-two array of entry pointers, kept at most
// half full (live entries plus tombstones), so a probe for an unknown host
// ends soon. The writer changes it in place: a new domain is one slot store
// (release), a changed one an exchange of its entry, a removed one a
// tombstone; only when the array would pass half full is it rebuilt, at
// twice the live entries' need, so adding n domains costs O(n) in all.
// Entries are immutable once published and retired under RCU when replaced.
struct HostEntry {
  std::string name;
  DomainId id = kDefaultDomain;
  std::string root_redirect;  // empty: none
  std::string not_found_url;  // empty: none
};

HostEntry* HostTombstone() {
  static HostEntry tombstone;  // never matched: its name is empty, no host is
  return &tombstone;
}

struct HostMap {
  uint64_t seed;
  size_t mask;  // capacity - 1
  std::unique_ptr<std::atomic<HostEntry*>[]> slots;

  HostMap(uint64_t seed, size_t capacity)
      : seed(seed), mask(capacity - 1), slots(new std::atomic<HostEntry*>[capacity]()) {}
  size_t capacity() const { return mask + 1; }

  // The entry naming `host`, or null.
  const HostEntry* Find(std::string_view host) const {
    for (size_t i = HashBytes(host, seed) & mask;; i = (i + 1) & mask) {
      const HostEntry* e = slots[i].load(std::memory_order_acquire);
      if (!e) return nullptr;
      if (e->name == host) return e;  // the tombstone's empty name matches no host
    }
  }
  // Writer only: the slot holding `host`, or null.
  std::atomic<HostEntry*>* SlotOf(std::string_view host) const {
    for (size_t i = HashBytes(host, seed) & mask;; i = (i + 1) & mask) {
      HostEntry* e = slots[i].load(std::memory_order_relaxed);
      if (!e) return nullptr;
      if (e != HostTombstone() && e->name == host) return &slots[i];
    }
  }
  // Writer only: stores `e` in the first empty slot of its probe run.
  void Place(HostEntry* e, std::memory_order order) {
    size_t i = HashBytes(e->name, seed) & mask;
    while (slots[i].load(std::memory_order_relaxed)) i = (i + 1) & mask;
    slots[i].store(e, order);
  }
};

// Capacity for `links` live entries: 3/5 full, so that the table grows (or
// is cleaned of tombstones) when it reaches 3/4.
size_t CapacityFor(size_t links) { return std::max<size_t>(16, links + links * 2 / 3 + 1); }

// Deferred free of memory a reader may still be looking at.
enum class RetiredKind : uint8_t { kEntry, kTable, kHostMap, kHostEntry };
struct Retired {
  rcu_head head;
  void* memory;
  RetiredKind kind;  // an Entry (which may own rules), a slot array or a host map
};

void FreeRetired(rcu_head* head) {
  Retired* r = caa_container_of(head, Retired, head);
  SHORTLINK_TSAN_ACQUIRE(r);  // the writer's hand-over, through liburcu's queue
  SHORTLINK_TSAN_ACQUIRE(&g_grace_period_marker);  // every reader that could see it has unlocked
  switch (r->kind) {
    case RetiredKind::kEntry:
      FreeEntry(static_cast<Entry*>(r->memory));
      break;
    case RetiredKind::kTable:
      FreeTable(static_cast<Table*>(r->memory));
      break;
    case RetiredKind::kHostMap:  // the array only: its entries moved to the next one
      delete static_cast<HostMap*>(r->memory);
      break;
    case RetiredKind::kHostEntry:
      delete static_cast<HostEntry*>(r->memory);
      break;
  }
  delete r;
}

void RetireMemory(void* memory, RetiredKind kind) {
  if (!memory) return;
  Retired* r = new Retired{{}, memory, kind};
  SHORTLINK_TSAN_RELEASE(r);
  urcu_memb_call_rcu(&r->head, FreeRetired);
}
void Retire(Entry* e) { RetireMemory(e, RetiredKind::kEntry); }
void Retire(Table* t) { RetireMemory(t, RetiredKind::kTable); }
void Retire(HostMap* m) { RetireMemory(m, RetiredKind::kHostMap); }
void Retire(HostEntry* e) { RetireMemory(e, RetiredKind::kHostEntry); }

// The writer's side of the domains: which the node knows, under which id.
// A domain is known while it holds links or admin-api configured it
// (SetDomain). An id whose domain is no longer known is given to another
// domain only after a grace period, so that no reader can take a Host header
// to an id from an old host entry and find another domain's link under it;
// and ids never used come first, so that wait is almost never paid.
class DomainRegistry {
 public:
  // The id of `domain` with one more link, interning it if new; nullopt
  // when every id is taken. `*added` is set when the domain became known.
  std::optional<DomainId> Acquire(std::string_view domain, bool* added) {
    *added = false;
    if (domain.empty()) return kDefaultDomain;
    Info* info = Intern(domain, added);
    if (!info) return std::nullopt;
    ++info->links;
    return info->id;
  }
  // The id of `domain`, configured, interning it if new.
  std::optional<DomainId> Configure(std::string_view domain, bool* added) {
    *added = false;
    Info* info = Intern(domain, added);
    if (!info) return std::nullopt;
    info->configured = true;
    return info->id;
  }
  // The id of `domain` if it is known, else nullopt; the default domain is 0.
  std::optional<DomainId> Find(std::string_view domain) const {
    if (domain.empty()) return kDefaultDomain;
    auto it = ids_.find(domain);
    if (it == ids_.end()) return std::nullopt;
    return it->second.id;
  }
  bool Configured(std::string_view domain) const {
    auto it = ids_.find(domain);
    return it != ids_.end() && it->second.configured;
  }
  // One link fewer on `domain` (which has links); true when it is no
  // longer known.
  bool Release(std::string_view domain) {
    if (domain.empty()) return false;
    auto it = ids_.find(domain);
    if (it == ids_.end() || it->second.links == 0) return false;
    --it->second.links;
    return Forget(it);
  }
  // `domain` no longer configured; true when it is no longer known.
  bool Unconfigure(std::string_view domain) {
    auto it = ids_.find(domain);
    if (it == ids_.end() || !it->second.configured) return false;
    it->second.configured = false;
    return Forget(it);
  }
  size_t size() const { return ids_.size(); }

 private:
  struct Info {
    DomainId id;
    uint32_t links = 0;
    bool configured = false;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using Map = std::unordered_map<std::string, Info, Hash, std::equal_to<>>;

  Info* Intern(std::string_view domain, bool* added) {
    auto it = ids_.find(domain);
    if (it != ids_.end()) return &it->second;
    std::optional<DomainId> id = NewId();
    if (!id) return nullptr;
    *added = true;
    return &ids_.emplace(std::string(domain), Info{*id}).first->second;
  }
  bool Forget(Map::iterator it) {
    if (it->second.links > 0 || it->second.configured) return false;
    released_.push_back(it->second.id);
    ids_.erase(it);
    return true;
  }
  std::optional<DomainId> NewId() {
    if (next_fresh_ <= kMaxDomains) return static_cast<DomainId>(next_fresh_++);
    if (reusable_.empty() && !released_.empty()) {
      urcu_memb_synchronize_rcu();  // no reader holds a released id any more
      reusable_.swap(released_);
    }
    if (reusable_.empty()) return std::nullopt;
    DomainId id = reusable_.back();
    reusable_.pop_back();
    return id;
  }

  Map ids_;
  size_t next_fresh_ = 1;
  std::vector<DomainId> released_;  // domains gone since the last grace period
  std::vector<DomainId> reusable_;  // released before a grace period
};

// Whether a Host header that names no known domain is the default domain's:
// no name (an IPv6 literal), an IPv4 address, "localhost", or one of the
// names the operator gave (LinkTable::SetDefaultHosts). `name` is the
// header's HostName (lowercase, no port); `raw` the header as sent.
bool IsDefaultHost(std::string_view raw, std::string_view name,
                   const std::vector<std::string>& default_hosts) {
  if (!raw.empty() && raw.front() == '[') return true;
  if (name.empty()) return false;  // longer than any host name
  if (name == "localhost") return true;
  bool address = true;
  for (char c : name) address = address && ((c >= '0' && c <= '9') || c == '.');
  if (address) return true;
  for (const std::string& host : default_hosts)
    if (host == name) return true;
  return false;
}

}  // namespace

RcuThreadScope::RcuThreadScope() { urcu_memb_register_thread(); }
RcuThreadScope::~RcuThreadScope() { urcu_memb_unregister_thread(); }

struct LinkTable::Impl {
  std::atomic<Table*> table;
  std::atomic<HostMap*> hosts{nullptr};  // null: no domain but the default one
  uint64_t seed;
  DomainRegistry domains;  // writer only
  size_t hosts_used = 0;   // writer only: the host map's live entries plus tombstones
  std::vector<std::string> default_hosts;  // set before readers start
  // Writer-only bookkeeping; `live` is also read for metrics.
  std::atomic<size_t> live{0};
  size_t used = 0;  // live + tombstones
  std::atomic<size_t> entry_bytes{0};

  // A bulk load's entries not yet placed (InsertNew). Each waits kLoadLag
  // inserts after its home slot was prefetched, so the cache and TLB misses
  // of a large table overlap instead of queueing one after another.
  static constexpr size_t kLoadLag = 16;
  struct Unplaced {
    uint64_t hash;
    Entry* entry;
  };
  Unplaced unplaced[kLoadLag];
  size_t unplaced_count = 0;
  size_t next_unplaced = 0;  // the oldest, when unplaced_count > 0

  uint64_t Hash(DomainId domain, std::string_view code) const {
    return HashKey(domain, code, seed);
  }

  // The id for one more link on `domain`; publishes a new host map when the
  // domain is new. nullopt when no id is left.
  std::optional<DomainId> AcquireDomain(std::string_view domain) {
    bool added = false;
    std::optional<DomainId> id = domains.Acquire(domain, &added);
    if (added) AddHost(new HostEntry{std::string(domain), *id, {}, {}});
    return id;
  }
  void ReleaseDomain(std::string_view domain) {
    if (domains.Release(domain)) RemoveHost(domain);
  }

  // The host map, writer side (see HostMap): O(1) amortized per change.
  void AddHost(HostEntry* e) {
    HostMap* map = hosts.load(std::memory_order_relaxed);
    if (!map || (hosts_used + 1) * 2 > map->capacity()) map = RebuildHosts(domains.size());
    map->Place(e, std::memory_order_release);
    ++hosts_used;
  }
  void ReplaceHost(HostEntry* e) {
    HostMap* map = hosts.load(std::memory_order_relaxed);
    std::atomic<HostEntry*>* slot = map ? map->SlotOf(e->name) : nullptr;
    if (!slot) return AddHost(e);  // cannot happen: a known domain has its entry
    Retire(slot->exchange(e, std::memory_order_acq_rel));
  }
  void RemoveHost(std::string_view name) {
    HostMap* map = hosts.load(std::memory_order_relaxed);
    std::atomic<HostEntry*>* slot = map ? map->SlotOf(name) : nullptr;
    if (!slot) return;
    Retire(slot->exchange(HostTombstone(), std::memory_order_acq_rel));
    if (domains.size() == 0) {
      // No custom domain left: readers go back to the fast path that reads
      // no Host header (every host the default domain's).
      Retire(hosts.exchange(nullptr, std::memory_order_acq_rel));
      hosts_used = 0;
    }
  }
  // A fresh array with room for `live` entries at most a quarter full, the
  // live entries moved over; the old array retired (not its entries).
  HostMap* RebuildHosts(size_t live) {
    HostMap* old = hosts.load(std::memory_order_relaxed);
    size_t capacity = 8;
    while (capacity < live * 4) capacity *= 2;
    auto* fresh = new HostMap(seed, capacity);
    hosts_used = 0;
    if (old) {
      for (size_t i = 0; i < old->capacity(); ++i) {
        HostEntry* e = old->slots[i].load(std::memory_order_relaxed);
        if (!e || e == HostTombstone()) continue;
        fresh->Place(e, std::memory_order_relaxed);
        ++hosts_used;
      }
    }
    hosts.store(fresh, std::memory_order_release);
    Retire(old);
    return fresh;
  }

  void PlaceOldestUnplaced() {
    Unplaced u = unplaced[next_unplaced];
    next_unplaced = (next_unplaced + 1) % kLoadLag;
    --unplaced_count;
    // The table may have grown since the prefetch (an estimate too low):
    // InsertAbsent works on whatever array is current.
    InsertAbsent(table.load(std::memory_order_relaxed), u.hash, u.entry);
  }
  void PlaceAllUnplaced() {
    while (unplaced_count > 0) PlaceOldestUnplaced();
  }

  // The slot holding (domain, code), or null.
  std::atomic<uint64_t>* FindSlot(Table* t, DomainId domain, std::string_view code,
                                  uint64_t hash) const {
    uint64_t tag = TagOf(hash);
    for (size_t i = HomeSlot(hash, t->capacity);; i = NextSlot(i, t->capacity)) {
      uint64_t word = t->slots[i].load(std::memory_order_acquire);
      if (word == kEmpty) return nullptr;
      if ((word & ~kPointerMask) == tag && IsEntry(word) && EntryOf(word)->code() == code &&
          EntryOf(word)->domain() == domain)
        return &t->slots[i];
    }
  }

  // Stores `word` in the first empty slot of its probe run. Tombstones are
  // not reused: a reader may be walking past them to a later slot.
  static void PlaceInEmpty(Table* t, uint64_t hash, uint64_t word, std::memory_order order) {
    size_t i = HomeSlot(hash, t->capacity);
    while (t->slots[i].load(std::memory_order_relaxed) != kEmpty) i = NextSlot(i, t->capacity);
    t->slots[i].store(word, order);
  }

  // Rebuilds the live entries into a table of `capacity`; old array retired.
  void Rehash(size_t capacity) {
    Table* old = table.load(std::memory_order_relaxed);
    Table* fresh = NewTable(capacity);
    for (size_t i = 0; i < old->capacity; ++i) {
      uint64_t word = old->slots[i].load(std::memory_order_relaxed);
      if (!IsEntry(word)) continue;
      const Entry* e = EntryOf(word);
      PlaceInEmpty(fresh, Hash(e->domain(), e->code()), word, std::memory_order_relaxed);
    }
    table.store(fresh, std::memory_order_release);
    used = live.load(std::memory_order_relaxed);
    Retire(old);  // entries moved over, only the array goes
  }

  // Inserts an entry known to be absent.
  void InsertAbsent(Table* t, uint64_t hash, Entry* fresh) {
    PlaceInEmpty(t, hash, TagOf(hash) | reinterpret_cast<uintptr_t>(fresh),
                 std::memory_order_release);
    size_t now_live = live.load(std::memory_order_relaxed) + 1;
    live.store(now_live, std::memory_order_relaxed);
    if (++used * 4 <= t->capacity * 3) return;
    // Mostly live entries: grow by half (each entry moves ~3 times over the
    // table's growth). Mostly tombstones: rebuild at the size the live need.
    bool growing = now_live * 2 > t->capacity;
    Rehash(std::max(CapacityFor(now_live), growing ? t->capacity * 3 / 2 : 0));
  }
};

LinkTable::LinkTable() : impl_(new Impl) {
  std::random_device rd;
  impl_->seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  impl_->table.store(NewTable(CapacityFor(0)), std::memory_order_release);
}

LinkTable::~LinkTable() {
  impl_->PlaceAllUnplaced();  // freed below with the rest
  Table* t = impl_->table.load(std::memory_order_acquire);
  urcu_memb_barrier();  // deferred frees from earlier changes run first
  for (size_t i = 0; i < t->capacity; ++i) {
    uint64_t word = t->slots[i].load(std::memory_order_relaxed);
    if (IsEntry(word)) FreeEntry(EntryOf(word));
  }
  FreeTable(t);
  if (HostMap* hosts = impl_->hosts.load(std::memory_order_relaxed)) {
    for (size_t i = 0; i < hosts->capacity(); ++i) {
      HostEntry* e = hosts->slots[i].load(std::memory_order_relaxed);
      if (e && e != HostTombstone()) delete e;
    }
    delete hosts;
  }
  delete impl_;
}

namespace {
// Lengths beyond the header's fields cannot come from admin-api (64 and
// 2048 are its limits); refuse rather than truncate. A domain longer than
// any host name could never be asked for.
bool Storable(LinkKey key, std::string_view long_url) {
  return !key.code.empty() && key.code.size() <= UINT8_MAX && long_url.size() <= UINT16_MAX &&
         key.domain.size() <= kMaxDomainLength;
}
}  // namespace

bool LinkTable::Upsert(LinkKey key, std::string_view long_url, LinkState state,
                       std::unique_ptr<EdgeRules> rules) {
  if (!Storable(key, long_url)) return false;
  impl_->PlaceAllUnplaced();  // a load not ended: its links come first
  Table* t = impl_->table.load(std::memory_order_relaxed);
  if (std::optional<DomainId> domain = impl_->domains.Find(key.domain)) {
    uint64_t hash = impl_->Hash(*domain, key.code);
    if (auto* slot = impl_->FindSlot(t, *domain, key.code, hash)) {
      Entry* fresh = NewEntry(*domain, key.code, long_url, state, std::move(rules));
      impl_->entry_bytes.fetch_add(EntryBytes(fresh), std::memory_order_relaxed);
      uint64_t old = slot->exchange(TagOf(hash) | reinterpret_cast<uintptr_t>(fresh),
                                    std::memory_order_acq_rel);
      Entry* e = EntryOf(old);
      impl_->entry_bytes.fetch_sub(EntryBytes(e), std::memory_order_relaxed);
      Retire(e);
      return true;
    }
  }
  std::optional<DomainId> domain = impl_->AcquireDomain(key.domain);
  if (!domain) return false;
  uint64_t hash = impl_->Hash(*domain, key.code);
  Entry* fresh = NewEntry(*domain, key.code, long_url, state, std::move(rules));
  impl_->entry_bytes.fetch_add(EntryBytes(fresh), std::memory_order_relaxed);
  impl_->InsertAbsent(t, hash, fresh);
  return true;
}

void LinkTable::BeginLoad(size_t links) {
  impl_->PlaceAllUnplaced();
  Table* t = impl_->table.load(std::memory_order_relaxed);
  if (CapacityFor(size() + links) > t->capacity) impl_->Rehash(CapacityFor(size() + links));
}

bool LinkTable::InsertNew(LinkKey key, std::string_view long_url, LinkState state,
                          std::unique_ptr<EdgeRules> rules) {
  if (!Storable(key, long_url)) return false;
  std::optional<DomainId> domain = impl_->AcquireDomain(key.domain);
  if (!domain) return false;
  Table* t = impl_->table.load(std::memory_order_relaxed);
  Entry* fresh = NewEntry(*domain, key.code, long_url, state, std::move(rules));
  impl_->entry_bytes.fetch_add(EntryBytes(fresh), std::memory_order_relaxed);
  uint64_t hash = impl_->Hash(*domain, key.code);
  __builtin_prefetch(&t->slots[HomeSlot(hash, t->capacity)], 1);
  if (impl_->unplaced_count == Impl::kLoadLag) impl_->PlaceOldestUnplaced();
  size_t at = (impl_->next_unplaced + impl_->unplaced_count) % Impl::kLoadLag;
  impl_->unplaced[at] = {hash, fresh};
  ++impl_->unplaced_count;
  return true;
}

void LinkTable::EndLoad() { impl_->PlaceAllUnplaced(); }

bool LinkTable::Erase(LinkKey key) {
  impl_->PlaceAllUnplaced();
  std::optional<DomainId> domain = impl_->domains.Find(key.domain);
  if (!domain) return false;
  Table* t = impl_->table.load(std::memory_order_relaxed);
  auto* slot = impl_->FindSlot(t, *domain, key.code, impl_->Hash(*domain, key.code));
  if (!slot) return false;
  Entry* old = EntryOf(slot->exchange(kTombstone, std::memory_order_acq_rel));
  impl_->live.fetch_sub(1, std::memory_order_relaxed);
  impl_->entry_bytes.fetch_sub(EntryBytes(old), std::memory_order_relaxed);
  Retire(old);
  impl_->ReleaseDomain(key.domain);  // after the entry: no reader finds it by a reused id
  return true;
}

size_t LinkTable::size() const { return impl_->live.load(std::memory_order_relaxed); }

size_t LinkTable::domains() const { return impl_->domains.size(); }

bool LinkTable::SetDomain(std::string_view host, std::string_view root_redirect,
                          std::string_view not_found_url) {
  if (host.empty() || host.size() > kMaxDomainLength) return false;
  bool added = false;
  std::optional<DomainId> id = impl_->domains.Configure(host, &added);
  if (!id) return false;
  auto* e =
      new HostEntry{std::string(host), *id, std::string(root_redirect), std::string(not_found_url)};
  if (added)
    impl_->AddHost(e);
  else
    impl_->ReplaceHost(e);
  return true;
}

bool LinkTable::RemoveDomain(std::string_view host) {
  if (!impl_->domains.Configured(host)) return false;
  if (impl_->domains.Unconfigure(host)) {
    impl_->RemoveHost(host);
  } else {  // it still holds links: known, without settings
    std::optional<DomainId> id = impl_->domains.Find(host);
    impl_->ReplaceHost(new HostEntry{std::string(host), *id, {}, {}});
  }
  return true;
}

void LinkTable::SetDefaultHosts(std::vector<std::string> hosts) {
  impl_->default_hosts = std::move(hosts);
}

size_t LinkTable::memory_bytes() const {
  const Table* t = impl_->table.load(std::memory_order_acquire);
  return impl_->entry_bytes.load(std::memory_order_relaxed) + sizeof(Table) +
         t->capacity * sizeof(std::atomic<uint64_t>);
}

uint16_t LinkTable::LockedDomainOf(std::string_view host, std::string_view* domain) const {
  *domain = {};
  const HostMap* hosts = impl_->hosts.load(std::memory_order_acquire);
  if (!hosts) return kDefaultDomain;  // the common case: one domain, the Host header unread
  char buffer[kMaxDomainLength];
  std::string_view name = HostName(host, buffer);
  const HostEntry* e = name.empty() ? nullptr : hosts->Find(name);
  if (!e) return kDefaultDomain;
  *domain = e->name;  // the entry's own copy: valid until the read lock ends
  return e->id;
}

uint16_t LinkTable::LockedResolveHost(std::string_view host, DomainView* view) const {
  *view = DomainView{};
  const HostMap* hosts = impl_->hosts.load(std::memory_order_acquire);
  // No custom domain: every host is the default domain's, as before domains
  // (the Host header unread); without Host (HTTP/1.0) likewise.
  if (!hosts || host.empty()) return kDefaultDomain;
  char buffer[kMaxDomainLength];
  std::string_view name = HostName(host, buffer);
  if (const HostEntry* e = !name.empty() ? hosts->Find(name) : nullptr) {
    view->kind = HostKind::kCustom;
    view->domain = e->name;  // the entry's own copies: valid until the read lock ends
    view->root_redirect = e->root_redirect;
    view->not_found_url = e->not_found_url;
    return e->id;
  }
  view->kind =
      IsDefaultHost(host, name, impl_->default_hosts) ? HostKind::kDefault : HostKind::kUnknown;
  return kDefaultDomain;
}

const void* LinkTable::LockedLookup(uint16_t domain, std::string_view code, LinkView* view) const {
  Table* t = impl_->table.load(std::memory_order_acquire);
  auto* slot = impl_->FindSlot(t, domain, code, impl_->Hash(domain, code));
  if (!slot) return nullptr;
  uint64_t word = slot->load(std::memory_order_acquire);
  if (!IsEntry(word)) return nullptr;  // erased between the probe and now
  const Entry* e = EntryOf(word);
  view->code = e->code();
  view->long_url = e->url();
  view->state = e->state();
  view->rules = e->rules();
  return e;
}

void LinkTable::ForEach(const std::function<void(const LinkView&)>& visit) const {
  ReadLock();
  // The domains' names by id, from the readers' host map: a domain holding
  // links has its entry there for as long as it does.
  std::vector<std::string_view> names(1);
  if (const HostMap* hosts = impl_->hosts.load(std::memory_order_acquire)) {
    for (size_t i = 0; i < hosts->capacity(); ++i) {
      const HostEntry* e = hosts->slots[i].load(std::memory_order_acquire);
      if (!e || e == HostTombstone()) continue;
      if (e->id >= names.size()) names.resize(e->id + 1);
      names[e->id] = e->name;
    }
  }
  const Table* t = impl_->table.load(std::memory_order_acquire);
  LinkView view;
  // Entries lie in memory in no order the slots follow: each is a cache
  // miss, which the visitor's work (hashing) would serialize. Fetching the
  // first two lines of the entry kAhead slots on overlaps them (1M links
  // hashed: ~220 ms without, ~46 ms with, on this 2-core VM). A prefetch
  // never faults, so a line past a short entry's end costs nothing.
  constexpr size_t kAhead = 32;
  for (size_t i = 0; i < t->capacity; ++i) {
    if (i + kAhead < t->capacity) {
      uint64_t ahead = t->slots[i + kAhead].load(std::memory_order_relaxed);
      if (IsEntry(ahead)) {
        __builtin_prefetch(EntryOf(ahead));
        __builtin_prefetch(reinterpret_cast<const char*>(EntryOf(ahead)) + 64);
      }
    }
    uint64_t word = t->slots[i].load(std::memory_order_acquire);
    if (!IsEntry(word)) continue;
    const Entry* e = EntryOf(word);
    DomainId domain = e->domain();
    // An id unknown to the map was given while this walk ran (a changing
    // table: the caller's bracket sees the change and walks again).
    view.domain = domain < names.size() ? names[domain] : std::string_view();
    view.code = e->code();
    view.long_url = e->url();
    view.state = e->state();
    view.rules = e->rules();
    visit(static_cast<const LinkView&>(view));
  }
  ReadUnlock();
}

void LinkTable::ReadLock() { urcu_memb_read_lock(); }

void LinkTable::ReadUnlock() {
  SHORTLINK_TSAN_RELEASE(&g_grace_period_marker);
  urcu_memb_read_unlock();
}

}  // namespace shortlink::redirector
