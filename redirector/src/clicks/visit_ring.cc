#include "clicks/visit_ring.h"

namespace shortlink::redirector {

VisitRing::VisitRing(size_t capacity) : capacity_(capacity), bytes_(new char[capacity]) {}

bool VisitRing::Push(const VisitRecord& facts) {
  const std::string_view user_agent = facts.user_agent.substr(0, kMaxUserAgent);
  const std::string_view referer = facts.referer.substr(0, kMaxReferer);
  const std::string_view language = facts.accept_language.substr(0, kMaxLanguage);
  const std::string_view query = facts.query.substr(0, kMaxQuery);
  const std::string_view domain = facts.domain.substr(0, 255);
  const std::string_view code = facts.code.substr(0, 255);
  const std::string_view address = facts.address.substr(0, kMaxAddress);
  const size_t body = address.size() + domain.size() + code.size() + user_agent.size() +
                      referer.size() + language.size() + query.size();
  const size_t size = (sizeof(Header) + body + 7) & ~size_t{7};

  uint64_t head = head_.load(std::memory_order_relaxed);
  size_t offset = head & (capacity_ - 1);
  // A record never wraps: when it does not fit before the end, the end is
  // padding (a zero size, which fits: both are multiples of 8).
  const size_t to_end = capacity_ - offset;
  const size_t needed = size <= to_end ? size : to_end + size;
  if (head + needed - cached_tail_ > capacity_) {
    cached_tail_ = tail_.load(std::memory_order_acquire);
    if (head + needed - cached_tail_ > capacity_) return false;
  }
  if (size > to_end) {
    const uint32_t wrap = 0;
    std::memcpy(bytes_.get() + offset, &wrap, sizeof wrap);
    head += to_end;
    offset = 0;
  }
  char* at = bytes_.get() + offset;
  Header h{};
  h.size = static_cast<uint32_t>(size);
  h.flags = (facts.bot ? kBot : 0) | (facts.address_is_text ? kAddressText : 0);
  h.address_length = static_cast<uint8_t>(address.size());
  h.domain_length = static_cast<uint8_t>(domain.size());
  h.code_length = static_cast<uint8_t>(code.size());
  h.user_agent_length = static_cast<uint16_t>(user_agent.size());
  h.referer_length = static_cast<uint16_t>(referer.size());
  h.language_length = static_cast<uint8_t>(language.size());
  h.query_length = static_cast<uint16_t>(query.size());
  std::memcpy(at, &h, sizeof h);
  char* p = at + sizeof h;
  for (std::string_view part : {address, domain, code, user_agent, referer, language, query}) {
    if (part.empty()) continue;
    std::memcpy(p, part.data(), part.size());
    p += part.size();
  }
  head_.store(head + size, std::memory_order_release);
  return true;
}

}  // namespace shortlink::redirector
