#include "common/link_digest.h"

#include "common/hash64.h"

namespace shortlink {
namespace {

// Fixed keys: the digest must agree across processes and machines, so
// unlike the link table's hash it takes no random seed.
constexpr uint64_t kSeed = 0x73686f72746c6e6bull;  // "shortlnk"
constexpr uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull,
                   k2 = 0x8ebc6af09c88c6e3ull;

// Absorbs one field: its own hash, which covers its length ("a" is not
// "a\0"), folded into the running one.
uint64_t Absorb(uint64_t h, std::string_view field) {
  return Mix64(h ^ HashBytes64(field, kSeed), k1);
}

}  // namespace

uint64_t LinkHash(std::string_view domain, std::string_view code, std::string_view long_url,
                  LinkState state, const LinkRules* rules, std::string* scratch) {
  uint64_t h = Absorb(kSeed, domain);
  h = Absorb(h, code);
  h = Absorb(h, long_url);
  char state_byte = static_cast<char>(state);
  h = Absorb(h, std::string_view(&state_byte, 1));
  scratch->clear();
  if (rules != nullptr && !rules->empty()) EncodeLinkRules(*rules, scratch);
  h = Absorb(h, *scratch);
  return Mix64(h ^ k2, k0 ^ k1);  // final avalanche: every input bit reaches every output bit
}

uint64_t LinkHash(const Link& link) {
  std::string scratch;
  return LinkHash(link.domain, link.code, link.long_url, link.state, &link.rules, &scratch);
}

std::string LinkDigest::HashHex() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 0; i < 16; ++i) out[i] = kHex[(hash >> (60 - 4 * i)) & 0xf];
  return out;
}

std::string LinkDigest::ToJson(uint64_t seq) const {
  return "{\"seq\":" + std::to_string(seq) + ",\"links\":" + std::to_string(links) +
         ",\"hash\":\"" + HashHex() + "\"}";
}

}  // namespace shortlink
