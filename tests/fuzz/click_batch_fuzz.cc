// Fuzzes click-batch decoding (common/click_batch.h): admin-api reads these
// from a Redis stream anyone with Redis access can write to. Arbitrary
// bytes must decode or be refused without a crash; a batch that decodes
// names its node and a number >= 1, and re-encodes to bytes that decode to
// the same batch, canonically.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/click_batch.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shortlink;
  auto batch = DecodeClickBatch(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!batch.ok()) return 0;
  FUZZ_CHECK(!batch->node.empty() && batch->number >= 1);
  std::string encoded;
  EncodeClickBatch(*batch, &encoded);
  auto again = DecodeClickBatch(encoded);
  FUZZ_CHECK(again.ok() && *again == *batch);
  std::string reencoded;
  EncodeClickBatch(*again, &reencoded);
  FUZZ_CHECK(reencoded == encoded);
  return 0;
}
