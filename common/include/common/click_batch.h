// A click batch: the clicks one redirect node counted in about a second,
// sent on the Redis stream `shortlink:clicks` and applied by admin-api
// exactly once. Its id is (node, number): numbers start at 1 and grow by one
// per batch of that node, so admin-api remembers one watermark per node
// (the highest number applied) instead of every id.
//
// Encoding: tagged fields (common/wire.h): node, number, then one field per
// code holding `varint count | code bytes`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/protocol.h"  // kClickStream, where batches travel
#include "common/result.h"

namespace shortlink {

struct ClickBatch {
  std::string node;
  uint64_t number = 0;
  std::vector<std::pair<std::string, uint64_t>> clicks;  // (code, count)

  bool operator==(const ClickBatch&) const = default;
};

void EncodeClickBatch(const ClickBatch& batch, std::string* out);
Result<ClickBatch> DecodeClickBatch(std::string_view bytes);

}  // namespace shortlink
