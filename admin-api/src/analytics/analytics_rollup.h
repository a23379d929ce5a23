// AnalyticsRollup: moves hourly analytics rows older than the retention
// into daily rows (store/analytics_keys.h), on its own thread, off the
// link writer's path, so the table stays bounded: a link keeps at most
// retention hours of hourly rows, then a packed row per day. Packed hours
// ('H') and the per-value hours of an earlier release ('h') both become
// packed days ('D'): one merge per (link, day), whatever rows it came from.
//
// Exactly once, even when interrupted: each RocksDB write both adds a set
// of hour rows to their days (merges) and deletes those hour rows, so an
// hour row is either still there (and not yet in its day) or gone (and in
// it). The link writer never adds to an hour older than its own retention
// (links/click_analytics.h), and the rollup's cutoff is an hour earlier
// still, so no click lands in an hour while it is being moved.
//
// Thread safety: RollUp is a pure function over the database; the object
// owns its thread (stopped and joined by the destructor).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/result.h"
#include "store/database.h"

namespace shortlink::admin {

class AnalyticsRollup {
 public:
  // Runs a pass at once, then every `every`: hours before (now - retention
  // - 1 h) become days. `retention_hours`: the link writer's, or more.
  AnalyticsRollup(Database* db, uint32_t retention_hours,
                  std::chrono::seconds every = std::chrono::hours(1));
  ~AnalyticsRollup();

  // One pass: every hour row before `cutoff_hour` (UTC hours since the
  // epoch) into its day, about `rows_per_write` rows per atomic write (a
  // write ends between links). Returns the hour rows moved, packed or not.
  static Result<uint64_t> RollUp(Database* db, uint32_t cutoff_hour,
                                 size_t rows_per_write = 10'000);

 private:
  // RollUp over the hour rows of one kind (kPackedHourly or kHourly).
  static Result<uint64_t> RollUpKind(Database* db, char kind, uint32_t cutoff_hour,
                                     size_t rows_per_write);
  void Run();

  Database* db_;
  const uint32_t retention_hours_;
  const std::chrono::seconds every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace shortlink::admin
