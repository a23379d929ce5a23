#include "clicks/click_flusher.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>

#include <unistd.h>

#include "clicks/state_file.h"
#include "common/log.h"
#include "common/protocol.h"
#include "common/thread_name.h"

namespace shortlink::redirector {
namespace {

using namespace std::chrono_literals;

constexpr auto kStopPoll = 50ms;
// A full click table is merged a part at a time, paced (CpuYield: ~50 us
// of merging, then 200 us asleep). The collector shares a core with a
// worker (the benchmark pins them together), and a thread that woke first
// may keep a core for a whole scheduler tick: merging an eighth of a table
// at once kept the worker waiting up to 2.8 ms (perf sched, issue 23), a
// visible p99. A part is 256 slots, ~50 us of merging; the lock on what was
// collected is taken per part, so no pause is spent holding it. Pacing
// stretches a drain to ~5x its CPU time (~10 ms for a full table); the
// collector stops pausing once half the time the worker took to fill that
// table has passed, so the worker has its spare back before it fills the
// table it counts in now.
constexpr size_t kDrainParts = 64;

// The node id as a file-name component: unreserved bytes kept, others hex.
std::string FileSafe(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

ClickLedgerOptions LedgerOptions(const ClickFlusherOptions& o) {
  ClickLedgerOptions l;
  l.node_id = o.node_id;
  l.resend_after = o.resend_after;
  l.max_resend_after = o.max_resend_after;
  l.max_pending_batches = o.max_pending_batches;
  l.max_pending_bytes = o.max_pending_bytes;
  l.max_in_flight = o.max_in_flight;
  l.max_batch_codes = o.max_batch_codes;
  l.analytics = o.classifier != nullptr;
  return l;
}

}  // namespace

Result<std::unique_ptr<ClickFlusher>> ClickFlusher::Create(
    const std::vector<std::unique_ptr<ThreadClicks>>& sources, std::unique_ptr<AdminClient> admin,
    ClickFlusherOptions options, MetricsRegistry* metrics) {
  // admin-api refuses longer node names on the watermark endpoint.
  if (options.node_id.empty() || options.node_id.size() > kMaxNodeIdLength) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--node-id must be 1 to " + std::to_string(kMaxNodeIdLength) + " characters");
  }
  if (!admin) return MakeError(ErrorCode::kInvalidArgument, "click flusher needs an admin client");
  if (Status s = options.redis.Check(); !s.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, "--redis: " + s.error().message);
  }
  std::vector<ThreadClicks*> raw;
  for (const auto& s : sources) {
    if (s) raw.push_back(s.get());
  }
  std::unique_ptr<ClickFlusher> flusher(
      new ClickFlusher(std::move(raw), std::move(admin), std::move(options), metrics));
  flusher->LoadState();
  flusher->UpdateGauges();
  return flusher;
}

ClickFlusher::ClickFlusher(std::vector<ThreadClicks*> sources, std::unique_ptr<AdminClient> admin,
                           ClickFlusherOptions options, MetricsRegistry* m)
    : sources_(std::move(sources)),
      admin_(std::move(admin)),
      options_(std::move(options)),
      state_path_(options_.data_dir.empty()
                      ? std::string()
                      : options_.data_dir + "/clicks-" + FileSafe(options_.node_id) + ".state"),
      batch_dir_(state_path_.empty() ? std::string() : state_path_ + ".batches"),
      batches_sent_(m->GetCounter("shortlink_redirector_click_batches_sent_total",
                                  "Click batches written to the Redis stream (resends included).")),
      batches_resent_(m->GetCounter(
          "shortlink_redirector_click_batches_resent_total",
          "Click batches written again because admin-api had not applied them in time.")),
      clicks_acked_(m->GetCounter("shortlink_redirector_clicks_acked_total",
                                  "Clicks in batches admin-api reported applied.")),
      clicks_lost_(
          m->GetCounter("shortlink_redirector_clicks_lost_total",
                        "Clicks lost with batches dropped from the overflowing pending buffer.")),
      state_errors_(m->GetCounter("shortlink_redirector_click_state_errors_total",
                                  "Failures to read or write the click state file.")),
      pending_batches_(m->GetGauge("shortlink_redirector_click_batches_pending",
                                   "Click batches not yet applied by admin-api.")),
      pending_clicks_(m->GetGauge("shortlink_redirector_clicks_pending",
                                  "Clicks counted here and not yet applied by admin-api.")),
      redis_connected_(m->GetGauge("shortlink_redirector_clicks_redis_connected",
                                   "1 while the click flusher is connected to Redis.")),
      watermark_gauge_(m->GetGauge("shortlink_redirector_click_watermark",
                                   "admin-api's applied click batch number for this node.")),
      dictionary_gauge_(
          m->GetGauge("shortlink_redirector_click_batches_dictionary",
                      "1 once admin-api says it reads click batches' dimension dictionary "
                      "(smaller batches); 0: dimensions per entry, as an older admin-api reads.")),
      ledger_(LedgerOptions(options_), m),
      stream_(options_.redis, options_.redis_timeout, redis_connected_) {
  last_take_.assign(sources_.size(), Clock::now());
}

ClickFlusher::~ClickFlusher() { Stop(); }

void ClickFlusher::Start() {
  if (thread_.joinable() || stopped_) return;
  last_take_.assign(sources_.size(), Clock::now());
  collector_ = std::thread([this] {
    // Neither lowered nor yielding (unlike the flusher): a worker whose
    // tables are both full drops clicks, so its spare must come back soon.
    NameThisThread("click-collect");
    CollectLoop();
  });
  thread_ = std::thread([this] {
    NameThisThread("click-flusher");
    LowerThisThreadPriority();
    Run();
  });
}

bool ClickFlusher::SleepUntil(Clock::time_point when) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_until(lock, when, [this] { return stopping_; });
}

void ClickFlusher::CollectLoop() {
  // Tables are taken every collect_interval on this thread, whatever the
  // flusher thread is doing: a worker whose table fills (many distinct
  // codes) gets its spare back within milliseconds even while a flush
  // waits seconds for a hung admin-api or Redis (before, the two shared a
  // thread and such a wait dropped most clicks of a busy node).
  while (SleepUntil(Clock::now() + options_.collect_interval)) Collect(false);
}

void ClickFlusher::Run() {
  // Workers are asked for their tables this long before a flush, so that
  // the flush carries every click up to then (a worker's own timer would
  // otherwise hold clicks back for up to another interval).
  const auto handover_lead = 2 * options_.collect_interval;
  auto next_flush = Clock::now() + options_.interval;
  for (;;) {
    if (options_.request_handover) {
      if (!SleepUntil(next_flush - handover_lead)) return;
      for (ThreadClicks* source : sources_) source->RequestHandover();
    }
    if (!SleepUntil(next_flush)) return;
    MoveCollectedToLedger();
    Flush(false);
    next_flush += options_.interval;
    // After a slow flush (timeouts), wait a full interval rather than burst.
    if (next_flush < Clock::now()) next_flush = Clock::now() + options_.interval;
  }
}

void ClickFlusher::Stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (collector_.joinable()) collector_.join();
  if (thread_.joinable()) thread_.join();

  // The workers have exited: their active tables are ours to drain now.
  Collect(true);
  MoveCollectedToLedger();
  auto deadline = Clock::now() + options_.stop_timeout;
  while (ledger_.pending_batches() > 0) {
    Flush(true);
    if (ledger_.pending_batches() == 0) break;
    // Without a watermark nothing can be numbered; without Redis nothing
    // can be sent; either way the state file carries it to the next start.
    if (!ledger_.confirmed() || !ledger_.admin_ok() || !stream_.connected()) break;
    if (Clock::now() + kStopPoll >= deadline) break;
    std::this_thread::sleep_for(kStopPoll);
  }
  Persist(true);
  UpdateGauges();
  uint64_t counted = 0;  // by the workers since start: compare with acked_since_start
  for (const ThreadClicks* source : sources_) counted += source->clicks() - source->dropped();
  if (ledger_.pending_batches() == 0) {
    LogInfo("clicks flushed", {{"watermark", std::to_string(ledger_.watermark())},
                               {"counted_since_start", std::to_string(counted)},
                               {"acked_since_start", std::to_string(clicks_acked_->value())}});
  } else {
    LogWarn("clicks left pending for the next start",
            {{"batches", std::to_string(ledger_.pending_batches())},
             {"clicks", std::to_string(pending_clicks_->value())},
             {"state", state_path_}});
  }
  stream_.Close();
}

void ClickFlusher::Flush(bool stopping) {
  // While the admin has acknowledged everything and numbering is known,
  // there is nothing the watermark could tell us.
  if (!ledger_.confirmed() || ledger_.pending_batches() > 0) PollWatermark();
  Send(stopping);
  Persist(stopping);
  UpdateGauges();
}

void ClickFlusher::Collect(bool after_stop) {
  // After Stop() the workers have exited: nothing waits for this core.
  collect_yield_.SetPaced(!after_stop);
  if (VisitClassifier* classifier = options_.classifier) {
    // Each visit is dated by this clock as it is read, within a
    // collect_interval of the visit: the hour dimension needs no more.
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    // A ring holds tens of milliseconds of visits: pace half an interval.
    // Read whole under the lock (the tally is what it guards), so its
    // pauses hold up the flusher's once-a-second swap by that much at most.
    collect_yield_.Restart();  // the thread slept since its last read
    collect_yield_.HurryFrom(Clock::now() + options_.collect_interval / 2);
    for (ThreadClicks* source : sources_) {
      if (VisitRing* ring = source->visits()) {
        std::lock_guard<std::mutex> lock(collected_mu_);
        ring->Read([&](const VisitRecord& visit) {
          classifier->Add(visit, now_ms, &collected_tally_);
          collect_yield_.Tick();
        });
      }
    }
  }
  for (size_t i = 0; i < sources_.size(); ++i) {
    ThreadClicks* source = sources_[i];
    if (ClickTable* table = source->TakeFull()) {
      // The worker fills its active table about as fast as it filled this
      // one: the spare must be back well before then.
      auto now = Clock::now();
      collect_yield_.Restart();
      collect_yield_.HurryFrom(now + (now - last_take_[i]) / 2);
      last_take_[i] = now;
      Drain(*table);
      source->ReturnSpare(table);
    }
    if (after_stop) {
      if (ClickTable* table = source->TakeActiveAfterStop()) {
        Drain(*table);
        source->ReturnSpare(table);
      }
    }
  }
}

void ClickFlusher::Drain(const ClickTable& table) {
  constexpr size_t kPart = ClickTable::kCapacity / kDrainParts;
  for (size_t begin = 0; begin < ClickTable::kCapacity; begin += kPart) {
    {
      std::lock_guard<std::mutex> lock(collected_mu_);
      table.ForEachIn(begin, begin + kPart,
                      [&counts = collected_, &key = key_scratch_](
                          std::string_view domain, std::string_view code, uint64_t n) {
                        std::string_view k = code;  // the default domain's key: no copy
                        if (!domain.empty()) {
                          key.clear();
                          AppendClickKey(domain, code, &key);
                          k = key;
                        }
                        AddCount(&counts, k, n);
                      });
    }
    collect_yield_.Poll();
  }
}

void ClickFlusher::MoveCollectedToLedger() {
  // The collector goes on with a map sized for a second like the last one,
  // allocated here, outside its lock, so it does not rehash as it grows.
  CodeCounts taken;
  // A quarter over: a second with a few more codes than the last must not
  // rehash the whole map in one go (milliseconds of the collector's core).
  taken.reserve(collected_last_size_ + collected_last_size_ / 4);
  VisitTally tally;
  if (options_.classifier) tally.Reserve(collected_last_links_);
  {
    std::lock_guard<std::mutex> lock(collected_mu_);
    taken.swap(collected_);
    std::swap(tally, collected_tally_);
  }
  // The classified clicks join those drained from the click tables here,
  // once per link, not once per visit.
  tally.ForEachLinkClicks([&taken](std::string_view key, uint64_t n) { AddCount(&taken, key, n); });
  collected_last_size_ = taken.size();
  collected_last_links_ = tally.links();
  ledger_.Add(std::move(taken), std::move(tally));
}

bool ClickFlusher::PollWatermark() {
  auto watermark = admin_->GetClickWatermark(options_.node_id);
  if (!watermark.ok()) {
    if (ledger_.admin_ok() || !ledger_.confirmed()) {
      LogWarn("cannot read the click watermark from admin-api",
              {{"error", watermark.error().message}});
    }
    ledger_.OnWatermarkUnavailable();
    return false;
  }
  if (!ledger_.admin_ok() && ledger_.confirmed()) LogInfo("click watermark readable again");
  ledger_.set_admin_reads_dictionary(watermark->reads_dictionary);
  ledger_.OnWatermark(watermark->applied, Clock::now());
  return true;
}

void ClickFlusher::Send(bool stopping) {
  switch (stream_.Connect()) {
    case ClickStream::State::kDown:
      return;
    case ClickStream::State::kNewlyUp:
      // Perhaps a new Redis whose stream lost what was sent: every pending
      // batch goes again, now rather than after resend_after.
      ledger_.ForgetSent();
      break;
    case ClickStream::State::kUp:
      break;
  }
  if (!ledger_.confirmed()) {
    stream_.Ping();  // keeps the connected gauge true while numbering waits for admin-api
    return;
  }
  ledger_.Seal();
  if (ledger_.sealed_unpersisted()) Persist(true);  // sent only once the file knows it is sealed

  auto now = Clock::now();
  auto plan = ledger_.PlanSend(now, stopping);
  if (!plan) {
    stream_.Ping();
    return;
  }
  std::vector<std::string_view> batches(plan->fillers.begin(), plan->fillers.end());
  for (size_t i = plan->first; i < plan->end; ++i) batches.push_back(ledger_.encoded(i));
  bool whole = stream_.Add(batches, [&](size_t i, bool ok) {
    if (i < plan->fillers.size() || !ok) return;
    ledger_.MarkSent(plan->first + (i - plan->fillers.size()), now);
    batches_sent_->Add();
    if (plan->resend) batches_resent_->Add();
  });
  if (whole && plan->resend) ledger_.FinishResend(*plan);
}

void ClickFlusher::UpdateGauges() {
  pending_batches_->Set(static_cast<int64_t>(ledger_.pending_batches()));
  pending_clicks_->Set(static_cast<int64_t>(ledger_.pending_clicks()));
  watermark_gauge_->Set(static_cast<int64_t>(ledger_.watermark()));
  dictionary_gauge_->Set(ledger_.admin_reads_dictionary() ? 1 : 0);
}

void ClickFlusher::Persist(bool force) {
  if (!ledger_.unpersisted()) return;
  if (state_path_.empty()) {
    ledger_.MarkPersisted();
    return;
  }
  auto now = Clock::now();
  // Open batches change every second during an outage; rewriting a large
  // file each time would cost more than it saves, so at most 10% of the time.
  if (!force && !ledger_.sealed_unpersisted() &&
      now - last_persist_ < std::max<Clock::duration>(options_.interval, 10 * last_persist_cost_)) {
    return;
  }
  // The ledger's rule for a crash between the two files needs the state
  // file's numbers current before a sealed file appears (clicks/click_ledger.h).
  if (ledger_.numbers_unpersisted() && ledger_.sealed_unpersisted() && !WriteState()) return;
  for (size_t index : ledger_.UnpersistedSealed()) {
    Status s = WriteFileAtomically(BatchPath(ledger_.number(index)), ledger_.encoded(index));
    if (!s.ok()) {
      state_errors_->Add();
      LogError("cannot write a sealed click batch's file; it waits",
               {{"error", s.error().message}});
      return;
    }
    ledger_.MarkDurable(index);
  }
  if (ledger_.state_dirty() && !WriteState()) return;
  // Only now: the state file no longer holds them open.
  for (uint64_t number : ledger_.TakeReleased()) ::unlink(BatchPath(number).c_str());
  auto done = Clock::now();
  last_persist_ = done;
  last_persist_cost_ = done - now;
}

bool ClickFlusher::WriteState() {
  Status s = WriteFileAtomically(state_path_, ledger_.EncodeState());
  if (!s.ok()) {
    state_errors_->Add();
    LogError("cannot write the click state file; sealed batches wait",
             {{"error", s.error().message}});
    return false;
  }
  ledger_.MarkStateWritten();
  return true;
}

std::string ClickFlusher::BatchPath(uint64_t number) const {
  return batch_dir_ + "/" + std::to_string(number) + std::string(kBatchSuffix);
}

void ClickFlusher::LoadState() {
  if (state_path_.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(batch_dir_, ec);
  if (ec) {
    LogError("cannot create the sealed click batches' directory",
             {{"path", batch_dir_}, {"error", ec.message()}});
  }
  if (std::optional<std::string> contents = ReadWholeFile(state_path_)) {
    Status loaded = ledger_.LoadState(*contents);
    if (!loaded.ok()) {
      state_errors_->Add();
      std::string aside = state_path_ + ".corrupt";
      std::filesystem::rename(state_path_, aside, ec);
      LogError(
          "click state file unreadable; kept aside, starting afresh (numbering follows "
          "admin-api's watermark)",
          {{"path", state_path_}, {"aside", aside}, {"why", loaded.error().message}});
    }
  }
  for (const auto& file : std::filesystem::directory_iterator(batch_dir_, ec)) {
    const std::string path = file.path().string();
    if (!path.ends_with(kBatchSuffix)) {
      std::filesystem::remove(file.path(), ec);  // a write cut short by a crash
      continue;
    }
    std::optional<std::string> contents = ReadWholeFile(path);
    Status loaded = contents ? ledger_.LoadSealed(*contents)
                             : Status(MakeError(ErrorCode::kInternal, "cannot read"));
    if (!loaded.ok()) {
      state_errors_->Add();
      std::filesystem::rename(path, path + ".corrupt", ec);
      LogError("sealed click batch file unreadable; kept aside",
               {{"path", path}, {"why", loaded.error().message}});
    }
  }
  ledger_.FinishLoad();
  LogInfo("click state loaded", {{"pending", std::to_string(ledger_.pending_batches())},
                                 {"next", std::to_string(ledger_.next_number())}});
}

}  // namespace shortlink::redirector
