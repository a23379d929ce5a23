// Low-level pieces of our binary encodings: varints, fixed-width integers
// and tagged fields. Readers never trust lengths: every read is bounds-checked
// and reports failure instead of reading past the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shortlink::wire {

void PutVarint(uint64_t value, std::string* out);
void PutFixed64BE(uint64_t value, std::string* out);  // big-endian sorts like the number
uint64_t GetFixed64BE(const char* p);

// Appends `tag | varint(len) | bytes`.
void PutField(uint8_t tag, std::string_view bytes, std::string* out);
void PutVarintField(uint8_t tag, uint64_t value, std::string* out);

// Sequential reader over untrusted bytes.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : p_(bytes) {}
  bool done() const { return p_.empty(); }
  bool ReadVarint(uint64_t* value);
  bool ReadBytes(size_t n, std::string_view* bytes);
  // Reads one tagged field.
  bool ReadField(uint8_t* tag, std::string_view* bytes);
  std::string_view rest() const { return p_; }

 private:
  std::string_view p_;
};

// Parses a varint that fills `bytes` exactly (a field's payload).
bool ParseVarint(std::string_view bytes, uint64_t* value);

}  // namespace shortlink::wire
