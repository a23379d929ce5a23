// A click batch: the clicks one redirect node counted in about a second,
// sent on the Redis stream `shortlink:clicks` and applied by admin-api
// exactly once. Its id is (node, number): numbers start at 1 and grow by one
// per batch of that node, so admin-api remembers one watermark per node
// (the highest number applied) instead of every id.
//
// Each entry is one link's clicks: the link's (domain, code), its count, and
// optionally that count broken down by dimensions (hour, device class,
// country, referrer...) for analytics. Both the domain and the dimensions
// are additions a decoder of the first format skips, so an old admin-api
// reads a new node's batch and the reverse (docs/node-protocol.md):
//
//   tag 1  node                      bytes
//   tag 2  number                    varint
//   tag 3  a default-domain entry    varint count | code bytes
//   tag 4  an entry on a domain      varint count | varint domain length | domain | code
//   tag 5  dimensions of the entry   tagged fields, one per DimensionCount:
//          just before it            dimension | varint length | varint count | value bytes
//          (the first form: still read, no longer written)
//   tag 6  the batch's next          dimension byte | value bytes; the first is id 0,
//          dictionary value          each written before the first entry that uses it
//   tag 7  dimensions of the entry   (varint id | varint count) per DimensionCount
//          just before it, by value
//
// The dictionary (tags 6 and 7) is why a batch of 60,000 links with 11
// dimensions each is ~3x smaller than with tag 5: most visits of a second
// share a few hundred values ("mobile", "Chrome", "US"), written once per
// batch instead of once per link.
//
// Tag 3 is the first format's only entry, and every default-domain entry
// is written with it: what an old decoder reads is the per-link total, the
// dimensions beside it are skipped. Tag 4 is skipped as a whole by an old
// decoder, which knows no domain to count such clicks on; and an admin-api
// that reads only tag 5 would count a new node's clicks without their
// dimensions. So, as with link records, admin-api is upgraded before the
// nodes (docs/operations.md). Tags and dimension numbers are never reused.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/cpu_yield.h"
#include "common/protocol.h"  // kClickStream, where batches travel
#include "common/result.h"

namespace shortlink {

// What a DimensionCount breaks a count down by, and the form of its value
// (the analytics issue). A decoder keeps numbers it does not know as they
// came. Every dimension but kClickBot breaks down the entry's `count`, so its
// counts sum to it; kClickBot counts bot visits, which are never clicks.
enum ClickDimension : uint8_t {
  kClickHour = 1,          // UTC hours since the epoch, decimal ("492150")
  kClickDeviceClass = 2,   // "desktop", "mobile", "tablet" or "other"
  kClickCountry = 3,       // ISO 3166-1 alpha-2 ("DE"), "ZZ" unknown
  kClickReferrerHost = 4,  // the referring site's host, lower case, or "direct"
  kClickOs = 5,            // OS family and major version ("iOS 17", "Windows 10"), "Other"
  kClickBrowser = 6,       // browser family ("Chrome", "Mobile Safari"), "Other"
  kClickBrand = 7,         // device brand ("Apple", "Samsung"), "Other"
  kClickLanguage = 8,  // primary language of Accept-Language, lower case ("en", "pt-br"), "none"
  kClickSource = 9,    // utm_source of the visit, else the referrer host, else "direct"
  kClickCity = 10,     // "DE/Berlin" where the geo database has cities
  kClickVisitor = 11,  // "unique" (first visit in the link's unique window) or "repeat"
  kClickBot = 12,      // bot visits by bot name ("Googlebot"): apart, not part of `count`
};

// Of an entry's clicks, `count` had `value` in `dimension`.
struct DimensionCount {
  uint8_t dimension = 0;  // a ClickDimension, or a newer one
  std::string value;
  uint64_t count = 0;

  bool operator==(const DimensionCount&) const = default;
};

// One link's clicks in a batch.
struct ClickEntry {
  ClickEntry() = default;
  ClickEntry(std::string code, uint64_t count, std::string domain = {},
             std::vector<DimensionCount> dimensions = {})
      : code(std::move(code)),
        count(count),
        domain(std::move(domain)),
        dimensions(std::move(dimensions)) {}

  std::string code;
  uint64_t count = 0;
  std::string domain;                      // "" is the default domain
  std::vector<DimensionCount> dimensions;  // optional breakdowns of `count`

  bool operator==(const ClickEntry&) const = default;
};

struct ClickBatch {
  std::string node;
  uint64_t number = 0;
  std::vector<ClickEntry> clicks;

  bool operator==(const ClickBatch&) const = default;
};

// How an encoder writes dimensions: by the batch's dictionary (tags 6 and
// 7), or each entry's own (tag 5) for a reader older than the dictionary.
enum class DimensionForm { kDictionary, kPerEntry };

// A batch can name 50,000 links: `cpu_yield`, when given, is ticked per
// entry so that a background thread coding one lets a request thread run.
void EncodeClickBatch(const ClickBatch& batch, std::string* out, CpuYield* cpu_yield = nullptr,
                      DimensionForm form = DimensionForm::kDictionary);
// Refuses a batch without node or number, or whose fields are malformed;
// skips fields of tags it does not know.
Result<ClickBatch> DecodeClickBatch(std::string_view bytes, CpuYield* cpu_yield = nullptr);

}  // namespace shortlink
