// ClickLedger: the bookkeeping behind exactly-once clicks, without threads,
// sockets or Redis (the ClickFlusher drives it and does the I/O; see
// clicks/click_flusher.h for the protocol as a whole).
//
// It numbers batches, keeps every batch until admin-api's watermark covers
// it, says what to send and when to send it again, and what to drop when
// its bounds are reached:
//
//   - Clicks join the open batch at the tail (one growing batch while Redis
//     or admin-api is away), or a new one. An open batch takes the number
//     after the watermark and after every sealed batch (Renumber), so a
//     lost or stale state file never makes a number admin-api would take
//     for a duplicate.
//   - Seal freezes an open batch's number and bytes, at most
//     `max_in_flight` sealed at once; nothing is sealed before a watermark
//     has been read (confirmed). A sealed batch may be sent only once the
//     state file holds it (MarkPersisted).
//   - PlanSend: what goes out now, in number order: the batches not sent on
//     this connection, or, when the oldest has waited `resend_after` with
//     no progress while admin-api answers, every sendable batch again (the
//     interval doubles up to `max_resend_after` while resends bring
//     nothing). Numbers lost to the bounds go first as empty batches, so
//     the watermark can pass them.
//   - Bounds: past `max_pending_batches` or `max_pending_bytes` the oldest
//     batch is dropped and its clicks counted as lost, never silently.
//   - The state on disk is in two parts, so that a flush writes what
//     changed and not everything pending (admin-api away for an hour:
//     3,600 sealed batches, each written once rather than once a second;
//     rewriting them all each second grew the flusher's cost with the
//     outage, quadratically):
//       * each sealed batch in a file of its own, written once when sealed
//         (UnpersistedSealed, MarkDurable) and removed once released
//         (TakeReleased: acknowledged or dropped);
//       * the state file: the next number and the open batches
//         (EncodeState), rewritten when they change.
//     A crash after a sealed batch's file and before the state file's
//     rewrite leaves the batch in both, sealed and still open: open
//     batches always number above sealed ones, so FinishLoad drops an open
//     batch numbered at or below a sealed one (it was sealed since). That
//     holds when the state file has the open batches' current numbers
//     whenever a sealed file is written: after Renumber moved an open
//     batch (numbers_unpersisted), the state file is written first.
//
// Time is passed in, never read, so tests drive it.
//
// Thread safety: none; one thread at a time (the flusher's). Counters in
// the MetricsRegistry may be read from any thread.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clicks/visit_tally.h"
#include "common/click_batch.h"
#include "common/cpu_yield.h"
#include "common/link.h"
#include "common/metrics.h"
#include "common/result.h"
#include "common/string_hash.h"

namespace shortlink::redirector {

// Counts per link, keyed by ClickKey (below); looked up by string_view without allocating. An open
// addressing map (Boost 1.81): codes fit std::string's inline buffer, so
// merging a table of ~12,000 codes allocates nothing per code and freeing
// a second's counts is one free, which keeps the collector's and the
// flusher's bursts short on a core they share with a worker.
using CodeHash = StringHash;
using CodeCounts = boost::unordered_flat_map<std::string, uint64_t, CodeHash, std::equal_to<>>;

// Adds `n` to `key`'s count, copying the key only when it is new.
inline void AddCount(CodeCounts* counts, std::string_view key, uint64_t n) {
  if (auto it = counts->find(key); it != counts->end())
    it->second += n;
  else
    counts->emplace(std::string(key), n);
}

// A link's key in CodeCounts: on the default domain the code alone, as
// before domains, so those keys (and the batches made of them) are what
// they were; on another domain EncodeLinkKey's domain, 0x00, code (no code
// holds 0x00, so the two cannot meet).
std::string ClickKey(std::string_view domain, std::string_view code);
void AppendClickKey(std::string_view domain, std::string_view code, std::string* out);
// The (domain, code) of a ClickKey, as views into `key`.
LinkKey SplitClickKey(std::string_view key);

struct ClickLedgerOptions {
  std::string node_id;                                // batch ids are (node_id, number)
  std::chrono::milliseconds resend_after{5000};       // an uncovered batch is sent again after this
  std::chrono::milliseconds max_resend_after{60000};  // backoff cap while nothing is applied
  size_t max_pending_batches = 3600;
  size_t max_pending_bytes = size_t{256} << 20;
  size_t max_in_flight = 60;       // sealed, unacknowledged batches before new clicks merge
  size_t max_batch_codes = 50000;  // distinct codes an open batch absorbs before a new one
  // Click analytics: each sealed entry's dimensions (its VisitTally) are
  // padded to sum to its count (clicks/visit_classifier.h).
  bool analytics = false;
};

class ClickLedger {
 public:
  using Clock = std::chrono::steady_clock;

  // `metrics` must outlive the ledger: acked, dropped and lost are counted there.
  ClickLedger(ClickLedgerOptions options, MetricsRegistry* metrics);

  // Adds a collection of clicks, and their dimensions, to the open batch
  // (or a new one), then enforces the bounds.
  void Add(CodeCounts counts, VisitTally tally = {});

  // admin-api's watermark for this node, read at `now`: releases the
  // batches it covers and renumbers the open ones after it.
  void OnWatermark(uint64_t watermark, Clock::time_point now);
  // Whether admin-api reads a batch's dimension dictionary (it says so with
  // its watermark): batches sealed from now on use it, or tag 5, which an
  // admin-api of the release before reads (common/click_batch.h). Until it
  // is known, tag 5: an upgrade goes node first.
  void set_admin_reads_dictionary(bool reads) {
    sealed_form_ = reads ? DimensionForm::kDictionary : DimensionForm::kPerEntry;
  }
  bool admin_reads_dictionary() const { return sealed_form_ == DimensionForm::kDictionary; }
  // The watermark could not be read: no resend while admin-api is away
  // (it is not applying anything, so nothing is known to be lost).
  void OnWatermarkUnavailable() { admin_ok_ = false; }

  // Seals open batches (see above).
  void Seal();

  // What to send now, or nothing. `fillers` are empty batches for numbers
  // lost to the bounds; then batches [first, end) by index into pending.
  struct SendPlan {
    std::vector<std::string> fillers;
    size_t first = 0;
    size_t end = 0;
    bool resend = false;
  };
  std::optional<SendPlan> PlanSend(Clock::time_point now, bool stopping) const;
  // The sealed bytes of pending batch `index` (a plan's range).
  const std::string& encoded(size_t index) const { return pending_[index].encoded; }
  // Pending batch `index` reached the stream at `now`.
  void MarkSent(size_t index, Clock::time_point now) { pending_[index].last_sent = now; }
  // A resend plan was carried out to its end: the next one waits longer.
  void FinishResend(const SendPlan& plan);
  // A new connection may be to a new stream: everything goes again, now.
  void ForgetSent();

  // What must be written (see the top): sealed batches with no file yet
  // (they may be sent only once they have one), the state file (open
  // batches or numbering changed), and whether the state file must come
  // first.
  bool sealed_unpersisted() const { return sealed_dirty_; }
  bool state_dirty() const;
  bool unpersisted() const { return sealed_dirty_ || state_dirty() || !released_.empty(); }
  bool numbers_unpersisted() const { return numbers_dirty_; }
  // The state file's bytes: next number and open batches.
  std::string EncodeState() const;
  void MarkStateWritten();
  // Indexes of sealed batches with no file yet; number and encoded bytes
  // of each are its file's name and contents.
  std::vector<size_t> UnpersistedSealed() const;
  uint64_t number(size_t index) const { return pending_[index].number; }
  void MarkDurable(size_t index);
  // Numbers of sealed batches released since the last call: their files go.
  std::vector<uint64_t> TakeReleased() { return std::exchange(released_, {}); }
  // All of the above written (or nothing to write to).
  void MarkPersisted();

  // A restart: LoadState with the state file's bytes (on an error it
  // starts afresh: number 1, nothing pending; a state file of an older
  // release, which held sealed batches too, loads whole), then LoadSealed
  // with each sealed batch file's, then FinishLoad.
  Status LoadState(std::string_view bytes);
  Status LoadSealed(std::string_view batch_bytes);
  void FinishLoad();

  bool confirmed() const { return confirmed_; }  // a watermark was read
  bool admin_ok() const { return admin_ok_; }    // the last read succeeded
  uint64_t watermark() const { return watermark_; }
  uint64_t next_number() const { return next_number_; }
  size_t pending_batches() const { return pending_.size(); }
  uint64_t pending_clicks() const;
  uint64_t acked_clicks() const { return clicks_acked_->value(); }

 private:
  struct Pending {
    uint64_t number = 0;
    bool sealed = false;   // contents and number frozen; may have been sent
    bool durable = false;  // sealed, and the state file says so: may be sent
    CodeCounts counts;     // while open
    VisitTally tally;      // while open: the clicks' dimensions
    std::string encoded;   // once sealed
    uint64_t clicks = 0;
    size_t bytes = 0;               // memory estimate, for max_pending_bytes
    Clock::time_point last_sent{};  // {}: not on this connection
    bool in_state_file = false;     // the state file holds it, open (perhaps older)
    bool changed = false;           // open, and changed since the state file was written
  };

  void Renumber();
  bool AnySealedWithoutFile() const;  // what sealed_dirty_ says, recomputed
  void EnforceBounds();

  const ClickLedgerOptions options_;
  // Ticked through the loops over a batch's codes: they run on a core an
  // edge worker shares (common/cpu_yield.h). mutable: EncodeState is const.
  mutable CpuYield cpu_yield_;
  std::deque<Pending> pending_;
  uint64_t next_number_ = 1;  // of the next open batch
  uint64_t watermark_ = 0;
  DimensionForm sealed_form_ = DimensionForm::kPerEntry;
  bool confirmed_ = false;
  bool admin_ok_ = false;
  std::chrono::milliseconds resend_interval_;  // grows while resends bring no progress
  Clock::time_point last_progress_{};          // when the watermark last moved
  bool state_stale_ = false;        // the state file holds a batch sealed or dropped since
  bool sealed_dirty_ = false;       // a sealed batch has no file yet
  bool numbers_dirty_ = false;      // Renumber moved an open batch since the last write
  std::vector<uint64_t> released_;  // sealed numbers whose files may go

  Counter* batches_acked_;
  Counter* clicks_acked_;
  Counter* batches_dropped_;
  Counter* clicks_lost_;
};

// A batch's bytes: EncodeClickBatch of (node, number, counts), each entry
// with its domain (none written on the default domain) and its dimensions
// from `tally` (an entry of no clicks for a link with bot visits only);
// with `pad_dimensions`, padded to sum to the entry's count
// (PadUnknownDimensions; the unknown hour: the current one); dimensions in
// `form`.
std::string EncodeClickCounts(const std::string& node, uint64_t number, const CodeCounts& counts,
                              CpuYield* cpu_yield = nullptr, const VisitTally* tally = nullptr,
                              bool pad_dimensions = false,
                              DimensionForm form = DimensionForm::kDictionary);

}  // namespace shortlink::redirector
