// ClickFlusher: carries the clicks the workers counted to admin-api, so
// that every click is applied exactly once (docs/node-protocol.md, "Clicks").
//
// Every few milliseconds a collector thread takes each worker's full
// ClickTable (ThreadClicks::TakeFull) and merges its counts; about once a
// second the flusher thread makes them a batch {node, number, clicks} and
// XADDs it to the Redis stream `shortlink:clicks`. Two threads, so that a
// flush blocked on a slow admin-api or Redis never keeps a worker waiting
// for its spare table (it would drop clicks).
// admin-api applies batch N of a node only when N == its watermark + 1, so
// numbers are consecutive per node, and a batch stays in the pending list
// until GET /internal/v1/clicks/watermark reports a watermark >= N. A batch
// still uncovered after `resend_after` is sent again together with every
// later one, in number order (admin-api refuses batches out of order).
// A new Redis connection resends everything pending at once: Redis runs
// without persistence, and a restart drops the stream.
//
// Numbering survives restarts through a state file in the data dir (next
// number and pending batches; temp file, fsync, rename). A batch is
// "sealed" (its number and contents frozen) and written to that file before
// its first XADD; until then it is open, may absorb later clicks and may be
// renumbered. Open batches take their numbers after admin-api's watermark,
// which keeps numbering right even with a lost or stale state file, and
// nothing is sealed before the watermark has been read once by this process.
// Merging into the open batch while Redis is down, or while many sealed
// batches wait for admin-api, keeps the pending list short during outages.
//
// Bounds: at most `max_pending_batches` batches and `max_pending_bytes`
// bytes pending; past either the oldest batch is dropped and its clicks are
// counted as lost in /metrics, never silently. A batch number lost that way
// is later sent as an empty batch, so admin-api's watermark moves past it
// (a dropped batch still in the stream is applied first, and its clicks
// arrive after all: "lost" is an upper bound).
//
// A sealed batch goes out only once the file says so; if the file cannot be
// written, clicks wait (and the state error counter grows) rather than risk
// being counted twice after a crash.
//
// Only one process may run with a given node id.
//
// The flusher is the driver: its threads, the collection, the watermark
// poll, the state file and the stream. What a batch is numbered, when it is
// sent, kept, released or dropped is the ClickLedger's (clicks/click_ledger.h,
// no I/O); the Redis calls are ClickStream's (clicks/click_stream.h).
//
// Thread safety: Create/Start/Stop from one owning thread. The collector
// thread is the only caller of the sources' TakeFull/ReturnSpare until
// Stop(), which must be called after the workers owning the sources have
// exited (it drains their active tables). Accessors from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "clicks/click_counter.h"
#include "clicks/click_ledger.h"
#include "clicks/click_stream.h"
#include "clicks/visit_classifier.h"
#include "common/cpu_yield.h"
#include "common/metrics.h"
#include "common/redis_locator.h"
#include "common/result.h"
#include "upstream/admin_client.h"

namespace shortlink::redirector {

struct ClickFlusherOptions {
  std::string node_id;   // batch ids are (node_id, number); required
  std::string data_dir;  // where the state file lives; empty: no state file (tests)
  RedisLocator redis;    // the click stream's Redis (HOST:PORT or sentinels); none: never sends
  std::chrono::milliseconds interval{1000};        // between flushes
  std::chrono::milliseconds collect_interval{10};  // between takes of the workers' tables
  // Ask the workers for their tables 2 collect_intervals before each flush
  // (ThreadClicks::RequestHandover), so a flush carries the clicks up to it.
  // Off only in tests that hand tables over themselves with Tick().
  bool request_handover = true;
  std::chrono::milliseconds resend_after{5000};       // an uncovered batch is sent again after this
  std::chrono::milliseconds max_resend_after{60000};  // backoff cap while nothing is applied
  std::chrono::milliseconds redis_timeout{1000};      // connect and each command
  std::chrono::milliseconds stop_timeout{5000};       // Stop() waits this long for the watermark
  size_t max_pending_batches = 3600;
  size_t max_pending_bytes = size_t{256} << 20;
  size_t max_in_flight = 60;       // sealed, unacknowledged batches before new clicks merge
  size_t max_batch_codes = 50000;  // distinct codes an open batch absorbs before a new one
  // Click analytics: the collector reads the workers' visit rings and
  // classifies each visit with this (clicks/visit_classifier.h); it must
  // outlive the flusher. Null: clicks are counted without dimensions.
  VisitClassifier* classifier = nullptr;
};

class ClickFlusher {
 public:
  // `sources` are the workers' counters (null entries are skipped); they
  // must outlive this object. `admin` is used on the flusher thread and in
  // Stop(). `metrics` must outlive this object. Reads the state file; an
  // unreadable one is logged, kept aside as *.corrupt, and not fatal: the
  // node serves regardless.
  static Result<std::unique_ptr<ClickFlusher>> Create(
      const std::vector<std::unique_ptr<ThreadClicks>>& sources, std::unique_ptr<AdminClient> admin,
      ClickFlusherOptions options, MetricsRegistry* metrics);
  ~ClickFlusher();  // Stop()

  ClickFlusher(const ClickFlusher&) = delete;
  ClickFlusher& operator=(const ClickFlusher&) = delete;

  // Starts the flusher thread.
  void Start();

  // Stops the thread, drains every source (active tables included: the
  // workers must have exited), sends what is pending, waits up to
  // `stop_timeout` for the watermark to cover it (less when Redis or
  // admin-api is unreachable), then writes what is still pending to the
  // state file for the next start. Idempotent.
  void Stop();

  // For tests and logs.
  uint64_t watermark() const { return watermark_gauge_->value(); }
  uint64_t pending_batches() const { return pending_batches_->value(); }
  uint64_t pending_clicks() const { return pending_clicks_->value(); }
  uint64_t acked_clicks() const { return clicks_acked_->value(); }
  uint64_t lost_clicks() const { return clicks_lost_->value(); }
  uint64_t batches_sent() const { return batches_sent_->value(); }
  bool redis_connected() const { return redis_connected_->value() != 0; }
  std::string state_path() const { return state_path_; }

 private:
  using Clock = std::chrono::steady_clock;

  ClickFlusher(std::vector<ThreadClicks*> sources, std::unique_ptr<AdminClient> admin,
               ClickFlusherOptions options, MetricsRegistry* metrics);

  // The flusher thread: asks for the workers' tables, then once an
  // interval moves what was collected into a batch and flushes.
  void Run();
  // The collector thread: takes full tables every collect_interval.
  void CollectLoop();
  // Sleeps until `when`; false when Stop() was called.
  bool SleepUntil(Clock::time_point when);
  // One flush: ask for the watermark, seal, persist, send.
  void Flush(bool stopping);
  // Drains the sources' full tables into collected_; `after_stop` also
  // takes the active ones.
  void Collect(bool after_stop);
  // Merges a table's counts into collected_, paced by collect_yield_.
  void Drain(const ClickTable& table);
  // Moves what was collected since the last call (clicks and their
  // dimensions) into the ledger; collection starts over empty.
  void MoveCollectedToLedger();
  bool PollWatermark();
  void Send(bool stopping);
  void UpdateGauges();
  // Writes the state file when something changed (always when a batch was
  // sealed since the last write; open batches only every so often).
  void Persist(bool force);
  bool WriteState();  // the state file; false (logged) when it could not be written
  std::string BatchPath(uint64_t number) const;  // a sealed batch's file
  void LoadState();

  std::vector<ThreadClicks*> sources_;
  std::unique_ptr<AdminClient> admin_;
  const ClickFlusherOptions options_;
  const std::string state_path_;
  const std::string batch_dir_;  // sealed batches, a file each (clicks/click_ledger.h)
  static constexpr std::string_view kBatchSuffix = ".batch";

  // Taken from the workers since the last flush: filled by the collector
  // thread, emptied by the flusher thread.
  std::mutex collected_mu_;
  CodeCounts collected_;        // GUARDED_BY(collected_mu_)
  VisitTally collected_tally_;  // GUARDED_BY(collected_mu_): dimensions, with analytics
  std::string key_scratch_;  // a custom domain's ClickKey while merging; GUARDED_BY(collected_mu_)
  // The collector paces its work (CpuYield::SetPaced): it shares a core
  // with an edge worker, and a yield would not hand that core back to a
  // busy worker (common/cpu_yield.h).
  CpuYield collect_yield_;  // the collector thread's (and Stop's, after it)
  // When the collector last took each source's full table (or Start()):
  // how fast a worker fills one. The collector thread's.
  std::vector<Clock::time_point> last_take_;

  // Flusher thread (or Stop() after joining it) only.
  size_t collected_last_size_ = 0;   // codes in the last TakeCollected()
  size_t collected_last_links_ = 0;  // links in the last second's tally
  Clock::time_point last_persist_{};
  Clock::duration last_persist_cost_{};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  bool stopped_ = false;   // owning thread only
  std::thread thread_;     // sends
  std::thread collector_;  // takes the workers' tables

  Counter* batches_sent_;
  Counter* batches_resent_;
  Counter* clicks_acked_;
  Counter* clicks_lost_;
  Counter* state_errors_;
  Gauge* pending_batches_;
  Gauge* pending_clicks_;
  Gauge* redis_connected_;
  Gauge* watermark_gauge_;
  Gauge* dictionary_gauge_;
  // Flusher thread (or Stop() after joining it) only; declared after the
  // metrics they use.
  ClickLedger ledger_;
  ClickStream stream_;
};

}  // namespace shortlink::redirector
