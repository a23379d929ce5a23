// Reading the change log and snapshots for redirect nodes
// (docs/node-protocol.md).
//
// Thread safety: all functions may be called from any thread; a
// SnapshotReader belongs to one caller at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "store/database.h"

namespace shortlink::admin {

inline constexpr size_t kDefaultChangesLimit = 1000;
inline constexpr size_t kMaxChangesLimit = 10000;

// Appends the frames of changes with seq in (after, after + limit] to `out`;
// returns how many. kGone when the log no longer holds seq after + 1.
Result<size_t> ReadChanges(Database* db, uint64_t after, size_t limit, std::string* out);

// Every link as of one instant, read from a read view piece by piece so
// that even 10M links never sit in memory at once.
class SnapshotReader {
 public:
  // With `domains`, the custom domains (common/domain.h) come first, as
  // domain_count() frames of domain records, read from the same view (a
  // node of a release before domains does not ask, and gets links only).
  explicit SnapshotReader(Database* db, bool domains = false);

  uint64_t seq() const { return seq_; }  // the change the snapshot is consistent with
  size_t domain_count() const { return domain_count_; }
  // Appends frames of link records to `out` until it holds at least
  // `min_bytes` or the links run out; returns false once nothing is left.
  Result<bool> Next(size_t min_bytes, std::string* out);

 private:
  std::unique_ptr<ReadView> view_;  // outlives cursor_ (declared first)
  Cursor cursor_;
  uint64_t seq_ = 0;
  std::string domain_frames_;  // sent before the first link
  Status domains_status_;
  size_t domain_count_ = 0;
};

}  // namespace shortlink::admin
