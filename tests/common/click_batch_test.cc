// The click batch codec (common/click_batch.h), its dimension dictionary,
// and its two-way compatibility:
// batches of the first format (node, number, (code, count) entries) decode
// unchanged, and what a decoder of that format reads of a new batch (one
// with domains and dimensions) is its default-domain totals.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/click_batch.h"
#include "common/wire.h"

namespace shortlink {
namespace {

// The decoder of the first format as released (tags 1 to 3, any other
// skipped): what an admin-api older than domains and dimensions runs.
struct FirstFormatBatch {
  std::string node;
  uint64_t number = 0;
  std::vector<std::pair<std::string, uint64_t>> clicks;
};
bool DecodeAsFirstFormat(std::string_view bytes, FirstFormatBatch* batch) {
  wire::Reader reader(bytes);
  while (!reader.done()) {
    uint8_t tag = 0;
    std::string_view field;
    if (!reader.ReadField(&tag, &field)) return false;
    if (tag == 1) {
      batch->node.assign(field);
    } else if (tag == 2) {
      if (!wire::ParseVarint(field, &batch->number)) return false;
    } else if (tag == 3) {
      wire::Reader entry(field);
      uint64_t count = 0;
      if (!entry.ReadVarint(&count)) return false;
      batch->clicks.emplace_back(std::string(entry.rest()), count);
    }
  }
  return !batch->node.empty() && batch->number != 0;
}

std::string Encoded(const ClickBatch& batch) {
  std::string bytes;
  EncodeClickBatch(batch, &bytes);
  return bytes;
}

}  // namespace

TEST_CASE("click batch: bytes of the first format decode unchanged, and are still written",
          "[click_batch]") {
  // node "n1", number 300, ("abc", 3), ("x-y", 1000000), as the first
  // release wrote them: tag | varint length | payload.
  const std::string old_bytes(
      "\x01\x02n1"
      "\x02\x02\xac\x02"
      "\x03\x04\x03"
      "abc"
      "\x03\x06\xc0\x84\x3d"
      "x-y",
      22);
  auto batch = DecodeClickBatch(old_bytes);
  REQUIRE(batch.ok());
  CHECK(batch->node == "n1");
  CHECK(batch->number == 300u);
  REQUIRE(batch->clicks.size() == 2);
  CHECK(batch->clicks[0] == ClickEntry("abc", 3));
  CHECK(batch->clicks[1] == ClickEntry("x-y", 1000000));
  CHECK(batch->clicks[1].domain.empty());
  CHECK(batch->clicks[1].dimensions.empty());
  // A batch without domains or dimensions is written byte for byte as
  // before: a node of this release talks to an old admin-api unchanged.
  CHECK(Encoded(*batch) == old_bytes);
}

TEST_CASE("click batch: domains and dimensions survive a round trip", "[click_batch]") {
  ClickBatch batch{"edge-1", 7, {}};
  batch.clicks.emplace_back("abc", 3);
  batch.clicks.emplace_back("abc", 5, "go.example.org");  // the same code on another domain
  batch.clicks.emplace_back(
      "promo", 4, "",
      std::vector<DimensionCount>{{kClickHour, "2026120417", 4},
                                  {kClickDeviceClass, "mobile", 3},
                                  {kClickDeviceClass, "desktop", 1},
                                  {200, "a dimension of a later release", 4}});
  batch.clicks.emplace_back("max", ~0ull, "x.example",
                            std::vector<DimensionCount>{{kClickCountry, "SG", ~0ull}});
  std::string bytes = Encoded(batch);
  auto decoded = DecodeClickBatch(bytes);
  REQUIRE(decoded.ok());
  CHECK(*decoded == batch);
  CHECK(Encoded(*decoded) == bytes);
}

TEST_CASE("click batch: a decoder of the first format reads a new batch's default-domain totals",
          "[click_batch]") {
  ClickBatch batch{"edge-1", 9, {}};
  batch.clicks.emplace_back("plain", 2);
  batch.clicks.emplace_back("promo", 4, "",
                            std::vector<DimensionCount>{{kClickDeviceClass, "mobile", 3},
                                                        {kClickDeviceClass, "desktop", 1}});
  batch.clicks.emplace_back("promo", 6, "go.example.org");
  FirstFormatBatch old;
  REQUIRE(DecodeAsFirstFormat(Encoded(batch), &old));
  CHECK(old.node == "edge-1");
  CHECK(old.number == 9u);
  // The dimensions are skipped beside their total; the other domain's
  // entry is skipped whole (an old admin-api has no such link to count on).
  CHECK(old.clicks == std::vector<std::pair<std::string, uint64_t>>{{"plain", 2}, {"promo", 4}});
}

TEST_CASE("click batch: malformed batches are refused, prefixes never invent clicks",
          "[click_batch]") {
  CHECK_FALSE(DecodeClickBatch("").ok());
  std::string no_number;
  wire::PutField(1, "n1", &no_number);
  CHECK_FALSE(DecodeClickBatch(no_number).ok());

  std::string orphan = no_number;  // dimensions with no entry to belong to
  wire::PutVarintField(2, 1, &orphan);
  wire::PutField(5, "", &orphan);
  CHECK_FALSE(DecodeClickBatch(orphan).ok());

  std::string bad_domain = no_number;  // a domain length past the field's end
  wire::PutVarintField(2, 1, &bad_domain);
  wire::PutField(4,
                 std::string("\x01\x09"
                             "ab",
                             4),
                 &bad_domain);
  CHECK_FALSE(DecodeClickBatch(bad_domain).ok());

  ClickBatch batch{"edge-1", 7, {}};
  batch.clicks.emplace_back("abc", 3, "d.example",
                            std::vector<DimensionCount>{{kClickCountry, "SG", 3}});
  batch.clicks.emplace_back("x-y", 1000000);
  std::string bytes = Encoded(batch);
  for (size_t n = 1; n < bytes.size(); ++n) {
    auto decoded = DecodeClickBatch(std::string_view(bytes.data(), n));
    if (!decoded.ok()) continue;
    CHECK(decoded->clicks.size() <= batch.clicks.size());
    for (const ClickEntry& e : decoded->clicks) CHECK(e.count <= 1000000u);
  }
}

// What tests/fuzz/click_batch_fuzz.cc checks, on mutations of a new-format
// batch: whatever decodes re-encodes to bytes that decode to the same batch,
// and encodes the same again (one canonical form).
TEST_CASE("click batch: mutated batches decode to a canonical form or are refused",
          "[click_batch]") {
  ClickBatch batch{"edge-1", 3, {}};
  batch.clicks.emplace_back("abc", 3, "d.example",
                            std::vector<DimensionCount>{{kClickCountry, "SG", 2}});
  batch.clicks.emplace_back("x-y", 9, "",
                            std::vector<DimensionCount>{{kClickDeviceClass, "mobile", 9}});
  const std::string valid = Encoded(batch);
  std::mt19937_64 rnd(18);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = valid;
    for (int flips = 1 + rnd() % 3; flips > 0; --flips)
      bytes[rnd() % bytes.size()] = static_cast<char>(rnd());
    auto decoded = DecodeClickBatch(bytes);
    if (!decoded.ok()) continue;
    std::string again = Encoded(*decoded);
    auto redecoded = DecodeClickBatch(again);
    REQUIRE(redecoded.ok());
    CHECK(*redecoded == *decoded);
    CHECK(Encoded(*redecoded) == again);
  }
}

TEST_CASE("click batch: the dictionary names each value once and decodes as the per-entry form",
          "[click_batch]") {
  ClickBatch batch{"edge-1", 4, {}};
  const char* devices[] = {"mobile", "desktop", "tablet"};
  const char* countries[] = {"SG", "MY", "DE", "US"};
  for (int i = 0; i < 300; ++i) {
    batch.clicks.emplace_back(
        "code-" + std::to_string(i), 3, i % 2 ? "" : "go.example.org",
        std::vector<DimensionCount>{{kClickHour, "492150", 3},
                                    {kClickDeviceClass, devices[i % 3], 2},
                                    {kClickDeviceClass, devices[(i + 1) % 3], 1},
                                    {kClickCountry, countries[i % 4], 3},
                                    {kClickReferrerHost, "news.ycombinator.com", 3}});
  }
  std::string dictionary, per_entry;
  EncodeClickBatch(batch, &dictionary);
  EncodeClickBatch(batch, &per_entry, nullptr, DimensionForm::kPerEntry);
  auto a = DecodeClickBatch(dictionary);
  auto b = DecodeClickBatch(per_entry);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == batch);
  CHECK(*b == batch);
  // 1 hour + 3 devices + 4 countries + 1 referrer: nine dictionary values.
  size_t values = 0;
  wire::Reader reader(dictionary);
  while (!reader.done()) {
    uint8_t tag = 0;
    std::string_view field;
    REQUIRE(reader.ReadField(&tag, &field));
    values += tag == 6;
    CHECK(tag != 5);
  }
  CHECK(values == 9);
  INFO("dictionary " << dictionary.size() << " bytes, per entry " << per_entry.size());
  CHECK(dictionary.size() * 2 < per_entry.size());
}

TEST_CASE("click batch: dictionary references that name nothing are refused", "[click_batch]") {
  std::string head;
  wire::PutField(1, "n1", &head);
  wire::PutVarintField(2, 1, &head);
  std::string entry;
  wire::PutVarint(2, &entry);
  entry.append("go");

  std::string unknown_id = head;  // id 1 of a one-value dictionary
  wire::PutField(6, std::string(1, char(kClickCountry)) + "SG", &unknown_id);
  wire::PutField(3, entry, &unknown_id);
  std::string pairs;
  wire::PutVarint(1, &pairs);
  wire::PutVarint(2, &pairs);
  wire::PutField(7, pairs, &unknown_id);
  CHECK_FALSE(DecodeClickBatch(unknown_id).ok());

  std::string no_entry = head;  // dimensions before any entry
  wire::PutField(6, std::string(1, char(kClickCountry)) + "SG", &no_entry);
  std::string first;
  wire::PutVarint(0, &first);
  wire::PutVarint(2, &first);
  wire::PutField(7, first, &no_entry);
  CHECK_FALSE(DecodeClickBatch(no_entry).ok());

  std::string empty_value = head;  // a dictionary value without its dimension byte
  wire::PutField(6, "", &empty_value);
  CHECK_FALSE(DecodeClickBatch(empty_value).ok());

  std::string half_pair = head;  // an id without its count
  wire::PutField(6, std::string(1, char(kClickCountry)) + "SG", &half_pair);
  wire::PutField(3, entry, &half_pair);
  std::string half;
  wire::PutVarint(0, &half);
  wire::PutField(7, half, &half_pair);
  CHECK_FALSE(DecodeClickBatch(half_pair).ok());
}

TEST_CASE("click batch: a dictionary value named too often is refused, not expanded",
          "[click_batch]") {
  // A 4 KiB value named 100,000 times: 200 KB on the stream, 400 MB decoded.
  std::string bytes;
  wire::PutField(1, "n1", &bytes);
  wire::PutVarintField(2, 1, &bytes);
  wire::PutField(6, std::string(1, char(kClickReferrerHost)) + std::string(4096, 'r'), &bytes);
  std::string entry;
  wire::PutVarint(100000, &entry);
  entry.append("go");
  wire::PutField(3, entry, &bytes);
  std::string pairs;
  for (int i = 0; i < 100000; ++i) {
    wire::PutVarint(0, &pairs);
    wire::PutVarint(1, &pairs);
  }
  wire::PutField(7, pairs, &bytes);
  auto decoded = DecodeClickBatch(bytes);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().message.find("bound") != std::string::npos);
}

}  // namespace shortlink
