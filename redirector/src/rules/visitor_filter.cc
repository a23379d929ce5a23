#include "rules/visitor_filter.h"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace shortlink::redirector {
namespace {

constexpr size_t kWays = 4;
constexpr int kMinuteBits = 24;  // 2^24 minutes = 31 years; windows are at most one
constexpr uint64_t kMinuteMask = (uint64_t{1} << kMinuteBits) - 1;

uint64_t MinuteOf(uint64_t word) { return word & kMinuteMask; }
uint64_t FingerprintOf(uint64_t word) { return word >> kMinuteBits; }
// Minutes from `then` to `now`, both taken modulo 2^24.
uint64_t Age(uint64_t now, uint64_t then) { return (now - then) & kMinuteMask; }

}  // namespace

VisitorFilter::VisitorFilter(size_t words) : buckets_(std::max<size_t>(1, words / kWays)) {
  void* raw = calloc(buckets_ * kWays, sizeof(std::atomic<uint64_t>));
  if (!raw) throw std::bad_alloc();
  words_ = static_cast<std::atomic<uint64_t>*>(raw);  // zero: an empty word
}

VisitorFilter::~VisitorFilter() { free(words_); }

bool VisitorFilter::FirstVisit(uint64_t visitor, int64_t now_minute, uint32_t window_minutes) {
  // The bucket from the low bits' product, the fingerprint from the top 40
  // bits (never 0, so that a used word is never mistaken for an empty one).
  size_t bucket =
      static_cast<size_t>((static_cast<__uint128_t>(visitor & 0xffffffff) * buckets_) >> 32);
  uint64_t fingerprint = (visitor >> kMinuteBits) | 1;
  uint64_t now = static_cast<uint64_t>(now_minute) & kMinuteMask;
  uint64_t fresh = fingerprint << kMinuteBits | now;
  std::atomic<uint64_t>* ways = words_ + bucket * kWays;
  size_t victim = kWays;  // an empty word if there is one, else the oldest
  bool victim_empty = false;
  uint64_t oldest = 0;
  for (size_t i = 0; i < kWays; ++i) {
    uint64_t word = ways[i].load(std::memory_order_relaxed);
    if (word == 0) {
      if (!victim_empty) victim = i;
      victim_empty = true;
      continue;  // the visitor may still sit in a later word
    }
    uint64_t age = Age(now, MinuteOf(word));
    if (FingerprintOf(word) == fingerprint) {
      if (age < window_minutes) return false;
      ways[i].store(fresh, std::memory_order_relaxed);
      return true;
    }
    if (!victim_empty && (victim == kWays || age > oldest)) {
      victim = i;
      oldest = age;
    }
  }
  ways[victim].store(fresh, std::memory_order_relaxed);
  return true;
}

}  // namespace shortlink::redirector
