// VisitorFilter: has this visitor (a hash of code, client address and
// User-Agent) been counted within the link's unique window? For links that
// count unique clicks.
//
// A fixed array of 64-bit words, allocated once, in buckets of four: each
// word holds a 40-bit fingerprint of the visitor and the minute of its last
// counted visit. No lock and no allocation per visit. It is a cache, not a
// ledger: when more distinct visitors arrive within a window than it holds
// (4 per bucket, 1M words by default), the oldest in a bucket is forgotten
// and may be counted again; two threads seeing one new visitor at the same
// instant may both count it; a node does not know the visitors of other
// nodes. Each errs towards counting a click, never towards losing one.
//
// Thread safety: any number of threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace shortlink::redirector {

class VisitorFilter {
 public:
  explicit VisitorFilter(size_t words = size_t{1} << 20);
  ~VisitorFilter();
  VisitorFilter(const VisitorFilter&) = delete;
  VisitorFilter& operator=(const VisitorFilter&) = delete;

  // True when `visitor` was not counted within `window_minutes` before
  // `now_minute` (minutes since the epoch); then records it as counted now.
  bool FirstVisit(uint64_t visitor, int64_t now_minute, uint32_t window_minutes);

 private:
  std::atomic<uint64_t>* words_;  // calloc'ed: pages are touched only when used
  size_t buckets_;
};

}  // namespace shortlink::redirector
