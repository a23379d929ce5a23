#include "clicks/click_counter.h"

#include <cstring>

namespace shortlink::redirector {
namespace {

// The domain's index varies the seed: the default domain's codes hash as
// they did before domains.
uint32_t Fnv1a(std::string_view s, uint32_t domain) {
  uint32_t h = 2166136261u + domain * 0x9e3779b9u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

}  // namespace

ClickTable::ClickTable() : slots_(new Slot[kCapacity]), domains_(new Domain[kMaxDomains]) {
  Clear();
}

void ClickTable::Clear() {
  memset(slots_.get(), 0, sizeof(Slot) * kCapacity);
  used_ = 0;
  domain_count_ = 0;
}

int ClickTable::DomainIndex(std::string_view domain) {
  if (domain.empty()) return 0;
  for (size_t i = 0; i < domain_count_; ++i) {
    const Domain& d = domains_[i];
    if (d.length == domain.size() && memcmp(d.name, domain.data(), domain.size()) == 0)
      return static_cast<int>(i + 1);
  }
  if (domain_count_ == kMaxDomains) return -1;
  Domain& d = domains_[domain_count_++];
  d.length = static_cast<uint8_t>(domain.size());
  memcpy(d.name, domain.data(), domain.size());
  return static_cast<int>(domain_count_);
}

bool ClickTable::Add(std::string_view domain, std::string_view code) {
  if (code.empty() || code.size() > kMaxCode) return true;  // not a code: nothing to count
  if (domain.size() > kMaxDomain) return true;              // no link has such a domain
  int index = DomainIndex(domain);
  if (index < 0) return false;
  uint8_t domain_index = static_cast<uint8_t>(index);
  uint32_t hash = Fnv1a(code, domain_index);
  for (size_t i = hash & (kCapacity - 1);; i = (i + 1) & (kCapacity - 1)) {
    Slot& s = slots_[i];
    if (s.count == 0) {
      if (used_ * 4 >= kCapacity * 3) return false;
      s.hash = hash;
      s.length = static_cast<uint8_t>(code.size());
      s.domain = domain_index;
      memcpy(s.code, code.data(), code.size());
      s.count = 1;
      ++used_;
      return true;
    }
    if (s.hash == hash && s.length == code.size() && s.domain == domain_index &&
        memcmp(s.code, code.data(), code.size()) == 0) {
      ++s.count;
      return true;
    }
  }
}

ThreadClicks::ThreadClicks() : active_(new ClickTable), spare_(new ClickTable) {}

ThreadClicks::~ThreadClicks() {
  delete active_;
  delete full_.load();
  delete spare_.load();
}

void ThreadClicks::Record(std::string_view domain, std::string_view code) {
  Bump(clicks_);
  if (!active_->Add(domain, code)) {
    Tick();  // full: hand it over now if we can
    if (!active_->Add(domain, code)) Bump(dropped_);
  }
  if (handover_wanted_.load(std::memory_order_relaxed)) Tick();
}

void ThreadClicks::EnableVisits(size_t ring_bytes) {
  visits_ = std::make_unique<VisitRing>(ring_bytes);
}

void ThreadClicks::RecordVisit(const VisitRecord& facts) {
  if (facts.bot) {
    RecordBot();
    visits_->Push(facts);  // a bot visit left out when full: bots are reported apart, best effort
    return;
  }
  if (visits_->Push(facts)) {
    Bump(clicks_);
    if (handover_wanted_.load(std::memory_order_relaxed)) Tick();
    return;
  }
  Bump(unclassified_);
  Record(facts.domain, facts.code);
}

void ThreadClicks::Tick() {
  if (active_->size() == 0) return;
  if (full_.load(std::memory_order_relaxed) != nullptr)
    return;  // flusher has not taken the last one
  ClickTable* spare = spare_.exchange(nullptr, std::memory_order_acquire);
  if (!spare) return;
  full_.store(active_, std::memory_order_release);
  active_ = spare;
  if (handover_wanted_.load(std::memory_order_relaxed))
    handover_wanted_.store(false, std::memory_order_relaxed);
}

ClickTable* ThreadClicks::TakeActiveAfterStop() {
  if (active_->size() == 0) return nullptr;
  ClickTable* spare = spare_.exchange(nullptr, std::memory_order_acquire);
  if (!spare) spare = new ClickTable;  // shutdown only: allocating is fine here
  ClickTable* full = active_;
  active_ = spare;
  return full;
}

void ThreadClicks::ReturnSpare(ClickTable* table) {
  table->Clear();
  // Normally the slot is empty (the worker took the spare before handing a
  // table over); after TakeActiveAfterStop allocated, there may be two.
  delete spare_.exchange(table, std::memory_order_acq_rel);
}

}  // namespace shortlink::redirector
