#include "common/click_batch.h"

#include "common/wire.h"

namespace shortlink {
namespace {

enum Tag : uint8_t { kNode = 1, kNumber = 2, kClick = 3 };

}  // namespace

void EncodeClickBatch(const ClickBatch& batch, std::string* out) {
  wire::PutField(kNode, batch.node, out);
  wire::PutVarintField(kNumber, batch.number, out);
  std::string entry;
  for (const auto& [code, count] : batch.clicks) {
    entry.clear();
    wire::PutVarint(count, &entry);
    entry.append(code);
    wire::PutField(kClick, entry, out);
  }
}

Result<ClickBatch> DecodeClickBatch(std::string_view bytes) {
  ClickBatch batch;
  wire::Reader reader(bytes);
  bool has_node = false, has_number = false;
  while (!reader.done()) {
    uint8_t tag = 0;
    std::string_view field;
    if (!reader.ReadField(&tag, &field))
      return MakeError(ErrorCode::kInvalidArgument, "truncated click batch");
    if (tag == kNode) {
      batch.node.assign(field);
      has_node = true;
    } else if (tag == kNumber) {
      if (!wire::ParseVarint(field, &batch.number))
        return MakeError(ErrorCode::kInvalidArgument, "bad batch number");
      has_number = true;
    } else if (tag == kClick) {
      wire::Reader entry(field);
      uint64_t count = 0;
      if (!entry.ReadVarint(&count))
        return MakeError(ErrorCode::kInvalidArgument, "bad click count");
      batch.clicks.emplace_back(std::string(entry.rest()), count);
    }
  }
  if (!has_node || batch.node.empty() || !has_number || batch.number == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "click batch lacks node or number");
  }
  return batch;
}

}  // namespace shortlink
