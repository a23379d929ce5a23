// `admin-api import`: offline bulk load of a CSV (header shortUrl,longUrl;
// an empty shortUrl gets a random code) into one user's links. Each row gets
// the checks of every create (ValidateNewLink, link_commands.h) and goes
// through the same LinkService as the API, so each imported link has its
// change-log entry and nodes pick it up when they next catch up. Unlike the
// API's create, rows are submitted in large groups with one in flight while
// the next is read: the bulk-load fast path.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "common/validation.h"
#include "links/link_service.h"

namespace shortlink::admin {

struct ImportReport {
  uint64_t rows = 0;
  uint64_t imported = 0;
  uint64_t rejected_total = 0;
  std::vector<std::string> rejected;  // "line N: reason", at most kMaxRejectedShown
};

inline constexpr size_t kMaxRejectedShown = 1000;

// Splits one CSV record (RFC 4180: quotes, doubled quotes inside quotes).
// Returns false on an unterminated quote.
bool SplitCsvLine(std::string_view line, std::vector<std::string>* fields);

// Reads `csv`, validates each row, commits in large groups as links of
// `principal` (refused whole, kNotFound, if it may not create links). A row
// refused is reported and skipped; a storage failure stops the import.
// `now_ms` is the clock of the validation. `progress` (may be null) is
// called now and then with rows read so far.
Result<ImportReport> ImportCsv(std::istream& csv, const auth::Principal& principal,
                               const UrlPolicy& policy, LinkService* links, int64_t now_ms,
                               const std::function<void(uint64_t rows)>& progress);

}  // namespace shortlink::admin
