#include "common/click_batch.h"

#include "common/wire.h"

namespace shortlink {
namespace {

enum Tag : uint8_t {
  kNode = 1,
  kNumber = 2,
  kClick = 3,
  kDomainClick = 4,
  kDimensions = 5,
};

Error Malformed(const char* what) { return MakeError(ErrorCode::kInvalidArgument, what); }

void PutEntry(const ClickEntry& e, std::string* scratch, std::string* out) {
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
  std::string one;
  for (const DimensionCount& d : e.dimensions) {
    one.clear();
    wire::PutVarint(d.count, &one);
    one.append(d.value);
    wire::PutField(d.dimension, one, scratch);
  }
  wire::PutField(kDimensions, *scratch, out);
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

}  // namespace

void EncodeClickBatch(const ClickBatch& batch, std::string* out, CpuYield* cpu_yield) {
  wire::PutField(kNode, batch.node, out);
  wire::PutVarintField(kNumber, batch.number, out);
  std::string scratch;
  for (const ClickEntry& entry : batch.clicks) {
    if (cpu_yield) cpu_yield->Tick();
    PutEntry(entry, &scratch, out);
  }
}

Result<ClickBatch> DecodeClickBatch(std::string_view bytes, CpuYield* cpu_yield) {
  ClickBatch batch;
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
    } else if (tag == kDimensions) {
      if (batch.clicks.empty()) return Malformed("click dimensions before any click");
      if (Status s = ParseDimensions(field, &batch.clicks.back().dimensions); !s.ok())
        return s.error();
    }
  }
  if (!has_node || batch.node.empty() || !has_number || batch.number == 0)
    return Malformed("click batch lacks node or number");
  return batch;
}

}  // namespace shortlink
