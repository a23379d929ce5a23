// UsageMeter: counts every authenticated API request against its team's
// UTC month (GoGoWorx's quota, issue 19), exactly across restarts and
// crashes, and holds each team's quota policy.
//
// How a request is counted (group commit):
//   1. Admit adds one to the team's month in memory and hands back a
//      ticket, the number of the batch that will write the increment.
//   2. The request runs.
//   3. Before its answer is sent, the request awaits Durable(ticket): one
//      writer thread writes every counter changed since its last write in
//      one synced RocksDB batch, so one fsync carries all the requests that
//      arrived meanwhile, and then resumes their coroutines. No I/O thread
//      ever blocks.
// So an answered request's increment is on disk; a kill -9 loses only
// increments of requests whose answers were never sent (and may keep some
// of those: an increment can be durable before its answer is written).
// The counters are written as totals, never as increments, so a batch
// written again after a failure counts nothing twice.
//
// When a write fails (a full disk: store/database.h refuses writes below its
// reserve), the waiting answers are sent anyway, as reads go on with a full
// disk, and the counters stay marked to write: the writer tries again every
// kRetryDelay until a write succeeds. Only in that window would a crash
// lose answered requests; each failure is logged.
//
// Policy per team: meter (the default: serve past the included requests,
// count the overage) or block (refuse with 429 until the next month once the
// month's count reaches `included`). A refused request is not counted.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/metrics.h"
#include "common/result.h"
#include "store/database.h"
#include "usage/month.h"
#include "usage/overage.h"

namespace shortlink::admin::usage {

enum class Policy : uint8_t { kMeter, kBlock };
std::string_view PolicyName(Policy policy);  // "meter", "block"
bool ParsePolicy(std::string_view text, Policy* policy);

class UsageMeter {
 public:
  struct Options {
    uint64_t included = kDefaultIncluded;  // requests per team and month
    // Unix seconds (UTC); injectable for tests. Default: the system clock.
    std::function<int64_t()> now_seconds;
    // admin_usage_batches_total, admin_usage_write_failures_total and
    // admin_usage_batch_seconds go here; none: not recorded.
    MetricsRegistry* metrics = nullptr;
  };
  static constexpr auto kRetryDelay = std::chrono::milliseconds(200);

  // Loads the counters and policies of `db` (outliving the meter) and
  // starts the writer thread.
  static Result<std::unique_ptr<UsageMeter>> Start(Database* db, Options options);
  // Writes what is still to write, then stops the writer.
  ~UsageMeter();

  struct Admission {
    bool allowed = true;
    uint64_t ticket = 0;              // for Durable; 0: nothing to wait for
    int64_t retry_after_seconds = 0;  // when refused: to the next month
  };
  // Counts one request of `team` in the current month, unless `may_block`
  // and the team's policy is block and the month has used its included
  // requests: then the request is refused and not counted.
  Admission Admit(uint64_t team, bool may_block = true);

  // Completes on the caller's executor once the batch of `ticket` has been
  // written (or its write failed; see above).
  template <class CompletionToken = const boost::asio::use_awaitable_t<>&>
  auto Durable(uint64_t ticket, CompletionToken&& token = boost::asio::use_awaitable) {
    namespace asio = boost::asio;
    return asio::async_initiate<CompletionToken, void()>(
        [this](auto handler, uint64_t ticket) {
          auto shared = std::make_shared<decltype(handler)>(std::move(handler));
          OnSettled(ticket, [shared](bool) {
            auto executor = asio::get_associated_executor(*shared);
            asio::post(executor, [shared]() mutable { std::move (*shared)(); });
          });
        },
        token, ticket);
  }
  // Blocks the calling thread until the batch of `ticket` is written; for
  // tests and threads outside any executor, never an I/O thread. True when
  // the write succeeded.
  bool WaitDurable(uint64_t ticket);

  // Sets `team`'s policy; `done` gets the write's status (from the writer
  // thread). The policy applies once written.
  void SetPolicy(uint64_t team, Policy policy, std::function<void(Status)> done);

  uint64_t Requests(uint64_t team, Month month) const;
  Policy PolicyOf(uint64_t team) const;
  uint64_t included() const { return included_; }
  int64_t NowSeconds() const { return now_seconds_(); }

 private:
  struct TeamMonth {
    uint64_t team;
    Month month;
    bool operator<(const TeamMonth& o) const {
      return team != o.team ? team < o.team : month < o.month;
    }
  };
  struct PolicyWrite {
    uint64_t team;
    Policy policy;
    std::function<void(Status)> done;
  };
  UsageMeter(Database* db, Options options);
  Status Load();
  // Calls `settled(ok)` once the batch of `ticket` is written: at once
  // (on this thread) if it already is, else from the writer thread.
  void OnSettled(uint64_t ticket, std::function<void(bool)> settled);
  void WriterLoop();

  Database* db_;
  const uint64_t included_;
  const std::function<int64_t()> now_seconds_;

  mutable std::mutex mu_;
  std::condition_variable wake_;          // the writer: something to write, or stop
  std::map<TeamMonth, uint64_t> counts_;  // GUARDED_BY(mu_): totals, unwritten ones included
  std::set<TeamMonth> dirty_;             // GUARDED_BY(mu_): counts_ not yet written
  std::unordered_map<uint64_t, Policy> policies_;  // GUARDED_BY(mu_): absent: kMeter
  std::vector<PolicyWrite> policy_writes_;         // GUARDED_BY(mu_)
  // Batch numbers: Admit's increments go into batch `open_batch_`; every
  // batch up to `settled_batch_` has been written (or failed).
  uint64_t open_batch_ = 1;                                              // GUARDED_BY(mu_)
  uint64_t settled_batch_ = 0;                                           // GUARDED_BY(mu_)
  bool last_write_ok_ = true;                                            // GUARDED_BY(mu_)
  std::vector<std::pair<uint64_t, std::function<void(bool)>>> waiters_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                                                // GUARDED_BY(mu_)
  std::thread writer_;
  Counter* batches_ = nullptr;  // set by Start when there are metrics
  Counter* write_failures_ = nullptr;
  Histogram* batch_seconds_ = nullptr;
};

}  // namespace shortlink::admin::usage
