#include "common/click_batch.h"

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/wire.h"

namespace shortlink {
namespace {

enum Tag : uint8_t {
  kNode = 1,
  kNumber = 2,
  kClick = 3,
  kDomainClick = 4,
  kDimensions = 5,   // the first form of an entry's dimensions, still read
  kValue = 6,        // the next dictionary value
  kValueCounts = 7,  // an entry's dimensions by dictionary value
};

Error Malformed(const char* what) { return MakeError(ErrorCode::kInvalidArgument, what); }

// The batch's dictionary as the encoder builds it: (dimension, value) -> id.
class ValueIds {
 public:
  // The id of (dimension, value); a new one is also written to `out` as a
  // kValue field, so it precedes its first use.
  uint64_t Of(uint8_t dimension, std::string_view value, std::string* out) {
    key_.assign(1, static_cast<char>(dimension));
    key_.append(value);
    auto [it, made] = ids_.try_emplace(key_, ids_.size());
    if (made) wire::PutField(kValue, key_, out);
    return it->second;
  }

 private:
  std::unordered_map<std::string, uint64_t> ids_;
  std::string key_;
};

// With `ids` null, the dimensions in the first form (tag 5).
void PutEntry(const ClickEntry& e, ValueIds* ids, std::string* scratch, std::string* out) {
  scratch->clear();
  wire::PutVarint(e.count, scratch);
  if (e.domain.empty()) {
    scratch->append(e.code);
    wire::PutField(kClick, *scratch, out);
  } else {
    wire::PutVarint(e.domain.size(), scratch);
    scratch->append(e.domain);
    scratch->append(e.code);
    wire::PutField(kDomainClick, *scratch, out);
  }
  if (e.dimensions.empty()) return;
  scratch->clear();
  if (!ids) {
    std::string one;
    for (const DimensionCount& d : e.dimensions) {
      one.clear();
      wire::PutVarint(d.count, &one);
      one.append(d.value);
      wire::PutField(d.dimension, one, scratch);
    }
    wire::PutField(kDimensions, *scratch, out);
    return;
  }
  for (const DimensionCount& d : e.dimensions) {
    wire::PutVarint(ids->Of(d.dimension, d.value, out), scratch);
    wire::PutVarint(d.count, scratch);
  }
  wire::PutField(kValueCounts, *scratch, out);
}

Status ParseDimensions(std::string_view field, std::vector<DimensionCount>* out) {
  wire::Reader reader(field);
  while (!reader.done()) {
    DimensionCount d;
    std::string_view one;
    if (!reader.ReadField(&d.dimension, &one)) return Malformed("truncated click dimension");
    wire::Reader fields(one);
    if (!fields.ReadVarint(&d.count)) return Malformed("bad click dimension count");
    d.value.assign(fields.rest());
    out->push_back(std::move(d));
  }
  return Status::Ok();
}

// A kValue field's dimension and value, as views into the batch's bytes.
using Dictionary = std::vector<std::pair<uint8_t, std::string_view>>;

// `budget`: the value bytes the whole batch may still expand into. A pair
// is two bytes or more and may name a long value, so without a bound a
// batch of a few MB written to the stream by anyone with Redis access could
// decode into gigabytes.
Status ParseValueCounts(std::string_view field, const Dictionary& dictionary, uint64_t* budget,
                        std::vector<DimensionCount>* out) {
  wire::Reader reader(field);
  while (!reader.done()) {
    uint64_t id = 0, count = 0;
    if (!reader.ReadVarint(&id) || !reader.ReadVarint(&count))
      return Malformed("truncated click dimension");
    if (id >= dictionary.size()) return Malformed("click dimension names no dictionary value");
    const auto& [dimension, value] = dictionary[id];
    if (value.size() > *budget) return Malformed("click batch expands past its bound");
    *budget -= value.size();
    out->push_back({dimension, std::string(value), count});
  }
  return Status::Ok();
}

}  // namespace

void EncodeClickBatch(const ClickBatch& batch, std::string* out, CpuYield* cpu_yield,
                      DimensionForm form) {
  wire::PutField(kNode, batch.node, out);
  wire::PutVarintField(kNumber, batch.number, out);
  std::string scratch;
  ValueIds ids;
  for (const ClickEntry& entry : batch.clicks) {
    if (cpu_yield) cpu_yield->Tick();
    PutEntry(entry, form == DimensionForm::kDictionary ? &ids : nullptr, &scratch, out);
  }
}

Result<ClickBatch> DecodeClickBatch(std::string_view bytes, CpuYield* cpu_yield) {
  ClickBatch batch;
  Dictionary dictionary;
  // Real batches expand ~15x (short values named by 2-3 byte pairs).
  uint64_t expand_budget = 64 * uint64_t{bytes.size()} + (uint64_t{1} << 20);
  wire::Reader reader(bytes);
  bool has_node = false, has_number = false;
  while (!reader.done()) {
    uint8_t tag = 0;
    std::string_view field;
    if (!reader.ReadField(&tag, &field)) return Malformed("truncated click batch");
    if (tag == kNode) {
      batch.node.assign(field);
      has_node = true;
    } else if (tag == kNumber) {
      if (!wire::ParseVarint(field, &batch.number)) return Malformed("bad batch number");
      has_number = true;
    } else if (tag == kClick || tag == kDomainClick) {
      if (cpu_yield) cpu_yield->Tick();
      wire::Reader entry(field);
      ClickEntry& e = batch.clicks.emplace_back();
      if (!entry.ReadVarint(&e.count)) return Malformed("bad click count");
      if (tag == kDomainClick) {
        uint64_t length = 0;
        std::string_view domain;
        if (!entry.ReadVarint(&length) || !entry.ReadBytes(length, &domain))
          return Malformed("bad click domain");
        e.domain.assign(domain);
      }
      e.code.assign(entry.rest());
    } else if (tag == kDimensions || tag == kValueCounts) {
      if (batch.clicks.empty()) return Malformed("click dimensions before any click");
      auto* dimensions = &batch.clicks.back().dimensions;
      Status s = tag == kDimensions
                     ? ParseDimensions(field, dimensions)
                     : ParseValueCounts(field, dictionary, &expand_budget, dimensions);
      if (!s.ok()) return s.error();
    } else if (tag == kValue) {
      if (field.empty()) return Malformed("click dictionary value lacks its dimension");
      dictionary.emplace_back(static_cast<uint8_t>(field[0]), field.substr(1));
    }
  }
  if (!has_node || batch.node.empty() || !has_number || batch.number == 0)
    return Malformed("click batch lacks node or number");
  return batch;
}

}  // namespace shortlink
