// VisitRing: what a worker hands its click collector about each counted
// visit for analytics (issue 20), without allocating, locking or parsing on
// the request path.
//
// A single-producer single-consumer ring of bytes owned by one worker. Per
// click or bot visit the worker copies the request's facts into one record
// (the link, the client address, and the User-Agent, Referer,
// Accept-Language and query, each cut to a bound); the collector thread
// reads records out within milliseconds (its clock dates them), classifies them (classify/) and
// aggregates them by link, dimension and value. All the work that costs (regexes, lookups, maps)
// happens there.
//
// When the ring is full the worker counts the click the way it does without
// analytics (ClickTable), and the collector reports that click's dimensions
// as unknown: every dimension still sums to the link's click total.
//
// Thread safety: Push on the owning worker; Read and counters on the one
// collecting thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace shortlink::redirector {

// One visit, as the worker saw it. Views into the request; copied by Push.
struct VisitRecord {
  bool bot = false;         // a bot visit (reported apart), else a counted click
  std::string_view domain;  // "" the default domain
  std::string_view code;
  std::string_view address;      // raw bytes (4 or 16), or text with address_is_text
  bool address_is_text = false;  // from X-Forwarded-For or X-Real-IP: as the header had it
  std::string_view user_agent;
  std::string_view referer;
  std::string_view accept_language;
  std::string_view query;  // the target after '?'
};

class VisitRing {
 public:
  // Bounds on what a record keeps: enough to classify (a User-Agent's
  // distinguishing tokens come early; Accept-Language's first range).
  static constexpr size_t kMaxUserAgent = 512;
  static constexpr size_t kMaxReferer = 256;
  static constexpr size_t kMaxLanguage = 64;
  static constexpr size_t kMaxQuery = 256;
  static constexpr size_t kMaxAddress = 64;  // an IPv6 address as text is at most 45

  // `capacity` bytes, a power of two. A second of a busy worker's visits
  // is ~20 MB; the collector reads every few milliseconds, so 1 MiB holds
  // ~5,000 visits (tens of milliseconds) of slack.
  explicit VisitRing(size_t capacity = size_t{1} << 20);

  // Worker: copies `facts` in; false when there is no room.
  bool Push(const VisitRecord& facts);

  // Collector: calls visit(const VisitRecord&) for every record written so
  // far (views valid during the call), then frees their room. Returns how
  // many it read.
  template <typename F>
  size_t Read(F&& visit);

 private:
  struct Header {
    uint32_t size;  // bytes of the record, header included, a multiple of 8; 0: wrap
    uint8_t flags;  // kBot | kAddressText
    uint8_t address_length;
    uint8_t domain_length;
    uint8_t code_length;
    uint16_t user_agent_length;
    uint16_t referer_length;
    uint8_t language_length;
    uint8_t pad_;
    uint16_t query_length;
  };
  static constexpr uint8_t kBot = 1, kAddressText = 2;

  static_assert(sizeof(Header) % 8 == 0);

  const size_t capacity_;
  const std::unique_ptr<char[]> bytes_;
  // Positions grow without wrapping; the offset is position & (capacity_ - 1).
  alignas(64) std::atomic<uint64_t> head_{0};  // written by the worker
  uint64_t cached_tail_ = 0;                   // the worker's last look at tail_
  alignas(64) std::atomic<uint64_t> tail_{0};  // written by the collector
};

template <typename F>
size_t VisitRing::Read(F&& visit) {
  uint64_t tail = tail_.load(std::memory_order_relaxed);
  const uint64_t head = head_.load(std::memory_order_acquire);
  size_t read = 0;
  while (tail < head) {
    const char* at = bytes_.get() + (tail & (capacity_ - 1));
    uint32_t size;
    std::memcpy(&size, at, sizeof size);
    if (size == 0) {  // the rest of the ring is padding: go on at its start
      tail += capacity_ - (tail & (capacity_ - 1));
      continue;
    }
    Header h;
    std::memcpy(&h, at, sizeof h);
    const char* p = at + sizeof h;
    auto take = [&p](size_t n) {
      std::string_view v(p, n);
      p += n;
      return v;
    };
    VisitRecord facts;
    facts.bot = (h.flags & kBot) != 0;
    facts.address_is_text = (h.flags & kAddressText) != 0;
    facts.address = take(h.address_length);
    facts.domain = take(h.domain_length);
    facts.code = take(h.code_length);
    facts.user_agent = take(h.user_agent_length);
    facts.referer = take(h.referer_length);
    facts.accept_language = take(h.language_length);
    facts.query = take(h.query_length);
    visit(static_cast<const VisitRecord&>(facts));
    tail += h.size;
    ++read;
  }
  tail_.store(tail, std::memory_order_release);
  return read;
}

}  // namespace shortlink::redirector
