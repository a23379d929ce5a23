// LinkTable's layout and reclamation.
//
// Layout (memory is the edge's main cost at 10M links):
//   - a power-of-two array of atomic pointers, open addressing with linear
//     probing, kept at most 3/4 full (live entries plus tombstones);
//   - one malloc'ed block per link: a 12-byte header, then the code and URL
//     bytes. No per-entry RCU head: a replaced entry is handed to call_rcu in
//     a small node allocated at retirement.
// At 1M links that is about 8/0.6 bytes of slot plus 12 bytes of header plus
// malloc's 8-16 bytes per link: ~35 bytes beyond the code and URL.
//
// Publication uses std::atomic (release stores, acquire loads) so that both
// the compiler and ThreadSanitizer see the ordering. Reclamation uses
// liburcu's memb flavour: readers mark their critical sections, the writer
// defers each free until every reader that might hold the pointer is gone.
#define _LGPL_SOURCE  // liburcu's inline read-side fast path
#include "link_table.h"

#include <urcu/urcu-memb.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

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

struct Entry {
  uint32_t hash;  // low 32 bits of the code's hash: most mismatches stop here
  uint16_t code_len;
  uint16_t url_len;
  uint8_t state;
  char bytes[];  // code, then URL

  std::string_view code() const { return {bytes, code_len}; }
  std::string_view url() const { return {bytes + code_len, url_len}; }
};

Entry* const kTombstone = reinterpret_cast<Entry*>(uintptr_t{1});

struct Table {
  size_t mask;                  // capacity - 1
  std::atomic<Entry*> slots[];  // capacity of them
};

// A seeded 64-bit hash (wyhash-style multiply-mix). The seed is random per
// process, so nobody can choose codes that collide into one long probe run.
uint64_t Mix(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

uint64_t HashCode(std::string_view code, uint64_t seed) {
  constexpr uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull;
  uint64_t h = seed ^ (code.size() * k0);
  const char* p = code.data();
  size_t n = code.size();
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    h = Mix(h ^ w, k1);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  memcpy(&tail, p, n);
  return Mix(h ^ tail, k1 ^ code.size());
}

Table* NewTable(size_t capacity) {
  void* raw = calloc(1, sizeof(Table) + capacity * sizeof(std::atomic<Entry*>));
  if (!raw) throw std::bad_alloc();
  Table* t = static_cast<Table*>(raw);
  t->mask = capacity - 1;
  return t;  // calloc's zeroes are null atomics on every platform we build for
}

Entry* NewEntry(uint32_t hash, std::string_view code, std::string_view url, LinkState state) {
  Entry* e = static_cast<Entry*>(malloc(sizeof(Entry) + code.size() + url.size()));
  if (!e) throw std::bad_alloc();
  e->hash = hash;
  e->code_len = static_cast<uint16_t>(code.size());
  e->url_len = static_cast<uint16_t>(url.size());
  e->state = static_cast<uint8_t>(state);
  memcpy(e->bytes, code.data(), code.size());
  memcpy(e->bytes + code.size(), url.data(), url.size());
  return e;
}

// Deferred free of memory a reader may still be looking at.
struct Retired {
  rcu_head head;
  void* memory;
};

void FreeRetired(rcu_head* head) {
  Retired* r = caa_container_of(head, Retired, head);
  SHORTLINK_TSAN_ACQUIRE(r);                        // the writer's hand-over, through liburcu's queue
  SHORTLINK_TSAN_ACQUIRE(&g_grace_period_marker);  // every reader that could see it has unlocked
  free(r->memory);
  delete r;
}

void Retire(void* memory) {
  if (!memory || memory == kTombstone) return;
  Retired* r = new Retired{{}, memory};
  SHORTLINK_TSAN_RELEASE(r);
  urcu_memb_call_rcu(&r->head, FreeRetired);
}

}  // namespace

RcuThreadScope::RcuThreadScope() { urcu_memb_register_thread(); }
RcuThreadScope::~RcuThreadScope() { urcu_memb_unregister_thread(); }

struct LinkTable::Impl {
  std::atomic<Table*> table;
  uint64_t seed;
  // Writer-only bookkeeping; `live` is also read for metrics.
  std::atomic<size_t> live{0};
  size_t used = 0;  // live + tombstones
  std::atomic<size_t> entry_bytes{0};

  size_t capacity(const Table* t) const { return t->mask + 1; }

  // The slot holding `code`, or null.
  std::atomic<Entry*>* FindSlot(Table* t, std::string_view code, uint32_t hash) const {
    for (size_t i = hash & t->mask;; i = (i + 1) & t->mask) {
      Entry* e = t->slots[i].load(std::memory_order_acquire);
      if (!e) return nullptr;
      if (e != kTombstone && e->hash == hash && e->code() == code) return &t->slots[i];
    }
  }

  // Rebuilds into a table sized for the live entries; old array retired.
  void Rehash(size_t min_capacity) {
    Table* old = table.load(std::memory_order_relaxed);
    size_t capacity = 16;
    while (capacity < min_capacity) capacity *= 2;
    Table* fresh = NewTable(capacity);
    for (size_t i = 0; i <= old->mask; ++i) {
      Entry* e = old->slots[i].load(std::memory_order_relaxed);
      if (!e || e == kTombstone) continue;
      size_t j = e->hash & fresh->mask;
      while (fresh->slots[j].load(std::memory_order_relaxed)) j = (j + 1) & fresh->mask;
      fresh->slots[j].store(e, std::memory_order_relaxed);
    }
    table.store(fresh, std::memory_order_release);
    used = live.load(std::memory_order_relaxed);
    Retire(old);  // entries moved over, only the array goes
  }
};

LinkTable::LinkTable() : impl_(new Impl) {
  std::random_device rd;
  impl_->seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  impl_->table.store(NewTable(1024), std::memory_order_release);
}

LinkTable::~LinkTable() {
  Table* t = impl_->table.load(std::memory_order_acquire);
  urcu_memb_barrier();  // deferred frees from earlier changes run first
  for (size_t i = 0; i <= t->mask; ++i) {
    Entry* e = t->slots[i].load(std::memory_order_relaxed);
    if (e && e != kTombstone) free(e);
  }
  free(t);
  delete impl_;
}

void LinkTable::Upsert(std::string_view code, std::string_view long_url, LinkState state) {
  // Lengths beyond the header's fields cannot come from admin-api (64 and
  // 2048 are its limits); refuse rather than truncate.
  if (code.empty() || code.size() > UINT16_MAX || long_url.size() > UINT16_MAX) return;
  Table* t = impl_->table.load(std::memory_order_relaxed);
  uint64_t h64 = HashCode(code, impl_->seed);
  uint32_t hash = static_cast<uint32_t>(h64);
  Entry* fresh = NewEntry(hash, code, long_url, state);
  impl_->entry_bytes.fetch_add(sizeof(Entry) + code.size() + long_url.size(),
                               std::memory_order_relaxed);
  if (auto* slot = impl_->FindSlot(t, code, hash)) {
    Entry* old = slot->exchange(fresh, std::memory_order_acq_rel);
    impl_->entry_bytes.fetch_sub(sizeof(Entry) + old->code_len + old->url_len,
                                 std::memory_order_relaxed);
    Retire(old);
    return;
  }
  // Insert into the first empty slot of the probe run. Tombstones are not
  // reused: a reader may be walking past them to a later slot of this run.
  size_t i = hash & t->mask;
  while (t->slots[i].load(std::memory_order_relaxed)) i = (i + 1) & t->mask;
  t->slots[i].store(fresh, std::memory_order_release);
  impl_->live.fetch_add(1, std::memory_order_relaxed);
  ++impl_->used;
  if (impl_->used * 4 > impl_->capacity(t) * 3) {
    size_t live = impl_->live.load(std::memory_order_relaxed);
    impl_->Rehash(live * 2 > impl_->capacity(t) ? impl_->capacity(t) * 2 : impl_->capacity(t));
  }
}

bool LinkTable::Erase(std::string_view code) {
  Table* t = impl_->table.load(std::memory_order_relaxed);
  uint32_t hash = static_cast<uint32_t>(HashCode(code, impl_->seed));
  auto* slot = impl_->FindSlot(t, code, hash);
  if (!slot) return false;
  Entry* old = slot->exchange(kTombstone, std::memory_order_acq_rel);
  impl_->live.fetch_sub(1, std::memory_order_relaxed);
  impl_->entry_bytes.fetch_sub(sizeof(Entry) + old->code_len + old->url_len,
                               std::memory_order_relaxed);
  Retire(old);
  return true;
}

size_t LinkTable::size() const { return impl_->live.load(std::memory_order_relaxed); }

size_t LinkTable::memory_bytes() const {
  const Table* t = impl_->table.load(std::memory_order_acquire);
  return impl_->entry_bytes.load(std::memory_order_relaxed) + sizeof(Table) +
         impl_->capacity(t) * sizeof(std::atomic<Entry*>);
}

const void* LinkTable::LockedLookup(std::string_view code, LinkView* view) const {
  Table* t = impl_->table.load(std::memory_order_acquire);
  uint32_t hash = static_cast<uint32_t>(HashCode(code, impl_->seed));
  auto* slot = impl_->FindSlot(t, code, hash);
  if (!slot) return nullptr;
  const Entry* e = slot->load(std::memory_order_acquire);
  if (e == kTombstone) return nullptr;  // erased between the probe and now
  view->code = e->code();
  view->long_url = e->url();
  view->state = static_cast<LinkState>(e->state);
  return e;
}

void LinkTable::ReadLock() { urcu_memb_read_lock(); }

void LinkTable::ReadUnlock() {
  SHORTLINK_TSAN_RELEASE(&g_grace_period_marker);
  urcu_memb_read_unlock();
}

}  // namespace shortlink::redirector
