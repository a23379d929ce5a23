#include "clicks/click_counter.h"

#include <cstring>

namespace shortlink::redirector {
namespace {

uint32_t Fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

}  // namespace

ClickTable::ClickTable() : slots_(new Slot[kCapacity]) { Clear(); }

void ClickTable::Clear() {
  memset(slots_.get(), 0, sizeof(Slot) * kCapacity);
  used_ = 0;
}

bool ClickTable::Add(std::string_view code) {
  if (code.empty() || code.size() > kMaxCode) return true;  // not a code: nothing to count
  uint32_t hash = Fnv1a(code);
  for (size_t i = hash & (kCapacity - 1);; i = (i + 1) & (kCapacity - 1)) {
    Slot& s = slots_[i];
    if (s.count == 0) {
      if (used_ * 4 >= kCapacity * 3) return false;
      s.hash = hash;
      s.length = static_cast<uint8_t>(code.size());
      memcpy(s.code, code.data(), code.size());
      s.count = 1;
      ++used_;
      return true;
    }
    if (s.hash == hash && s.length == code.size() &&
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

void ThreadClicks::Record(std::string_view code) {
  Bump(clicks_);
  if (!active_->Add(code)) {
    Tick();  // full: hand it over now if we can
    if (!active_->Add(code)) Bump(dropped_);
  }
  if (handover_wanted_.load(std::memory_order_relaxed)) Tick();
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
