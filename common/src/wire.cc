#include "common/wire.h"

namespace shortlink::wire {

void PutVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void PutFixed64BE(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

uint64_t GetFixed64BE(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void PutField(uint8_t tag, std::string_view bytes, std::string* out) {
  out->push_back(static_cast<char>(tag));
  PutVarint(bytes.size(), out);
  out->append(bytes);
}

void PutVarintField(uint8_t tag, uint64_t value, std::string* out) {
  std::string tmp;
  PutVarint(value, &tmp);
  PutField(tag, tmp, out);
}

bool Reader::ReadVarint(uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !p_.empty(); shift += 7) {
    uint8_t byte = static_cast<uint8_t>(p_.front());
    p_.remove_prefix(1);
    if (shift == 63 && byte > 1) return false;  // would overflow 64 bits
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

bool Reader::ReadBytes(size_t n, std::string_view* bytes) {
  if (n > p_.size()) return false;
  *bytes = p_.substr(0, n);
  p_.remove_prefix(n);
  return true;
}

bool Reader::ReadField(uint8_t* tag, std::string_view* bytes) {
  if (p_.empty()) return false;
  *tag = static_cast<uint8_t>(p_.front());
  p_.remove_prefix(1);
  uint64_t len = 0;
  return ReadVarint(&len) && ReadBytes(len, bytes);
}

bool ParseVarint(std::string_view bytes, uint64_t* value) {
  Reader r(bytes);
  return r.ReadVarint(value) && r.done();
}

}  // namespace shortlink::wire
