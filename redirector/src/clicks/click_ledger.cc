#include "clicks/click_ledger.h"

#include "clicks/visit_classifier.h"

#include <algorithm>

#include "common/click_batch.h"
#include "common/log.h"
#include "common/wire.h"

namespace shortlink::redirector {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kStateMagic = "SLCLICK1";
constexpr size_t kEntryOverhead = 64;  // per code in an open batch: node, hash, bucket
constexpr size_t kBatchOverhead = 128;
constexpr size_t kMaxFillers = 10000;  // empty batches sent per flush to close a gap
constexpr auto kStopResend = 1s;       // while stopping, resend sooner: time is short

uint64_t Fnv1a64(std::string_view bytes, CpuYield* cpu_yield = nullptr) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < bytes.size(); ++i) {
    // A byte a nanosecond: a 2 MB state file is 2 ms, so tick every 1 KiB.
    if (cpu_yield && (i & 1023) == 0) cpu_yield->Tick();
    h = (h ^ static_cast<unsigned char>(bytes[i])) * 1099511628211ull;
  }
  return h;
}

}  // namespace

void AppendClickKey(std::string_view domain, std::string_view code, std::string* out) {
  if (domain.empty())
    out->append(code);
  else
    AppendLinkKey(LinkKey{domain, code}, out);
}

std::string ClickKey(std::string_view domain, std::string_view code) {
  std::string key;
  AppendClickKey(domain, code, &key);
  return key;
}

LinkKey SplitClickKey(std::string_view key) {
  LinkKey link;
  if (!DecodeLinkKey(key, &link)) link = LinkKey{{}, key};
  return link;
}

std::string EncodeClickCounts(const std::string& node, uint64_t number, const CodeCounts& counts,
                              CpuYield* cpu_yield, const VisitTally* tally, bool pad_dimensions,
                              DimensionForm form) {
  ClickBatch batch{node, number, {}};
  batch.clicks.reserve(counts.size());
  auto add_dimensions = [&](ClickEntry* entry, std::string_view key) {
    if (!tally) return;
    tally->ForEachCount(key, [&](VisitTally::ValueId id, uint64_t count) {
      entry->dimensions.push_back({tally->dimension_of(id), tally->value_of(id), count});
    });
  };
  for (const auto& [key, count] : counts) {
    if (cpu_yield) cpu_yield->Tick();
    LinkKey link = SplitClickKey(key);
    ClickEntry& entry =
        batch.clicks.emplace_back(std::string(link.code), count, std::string(link.domain));
    add_dimensions(&entry, key);
  }
  if (tally) {  // links with bot visits only
    tally->ForEachLink([&](std::string_view key) {
      if (cpu_yield) cpu_yield->Tick();
      if (counts.contains(key)) return;
      LinkKey link = SplitClickKey(key);
      ClickEntry& entry =
          batch.clicks.emplace_back(std::string(link.code), 0, std::string(link.domain));
      add_dimensions(&entry, key);
    });
  }
  if (pad_dimensions) {
    int64_t hour = std::chrono::duration_cast<std::chrono::hours>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    for (ClickEntry& entry : batch.clicks) {
      if (cpu_yield) cpu_yield->Tick();
      PadUnknownDimensions(&entry, hour);
    }
  }
  std::string out;
  EncodeClickBatch(batch, &out, cpu_yield, form);
  return out;
}

ClickLedger::ClickLedger(ClickLedgerOptions options, MetricsRegistry* m)
    : options_(std::move(options)),
      resend_interval_(options_.resend_after),
      batches_acked_(m->GetCounter("shortlink_redirector_click_batches_acked_total",
                                   "Click batches admin-api reported applied (its watermark).")),
      clicks_acked_(m->GetCounter("shortlink_redirector_clicks_acked_total",
                                  "Clicks in batches admin-api reported applied.")),
      batches_dropped_(m->GetCounter(
          "shortlink_redirector_click_batches_dropped_total",
          "Click batches dropped because the pending buffer overflowed (clicks lost).")),
      clicks_lost_(
          m->GetCounter("shortlink_redirector_clicks_lost_total",
                        "Clicks lost with batches dropped from the overflowing pending buffer.")) {
  // Sealing a second's batch takes milliseconds on a core a worker shares;
  // a yield would not hand it back to a saturated worker, a sleep does.
  // The flusher has the rest of its second for it.
  cpu_yield_.SetPaced(true);
}

uint64_t ClickLedger::pending_clicks() const {
  uint64_t clicks = 0;
  for (const Pending& p : pending_) clicks += p.clicks;
  return clicks;
}

void ClickLedger::Add(CodeCounts collected, VisitTally tally) {
  if (collected.empty() && tally.empty()) return;
  // Clicks join the open batch at the tail when there is one (Redis down,
  // admin-api slow): one growing batch instead of one per second.
  Pending* tail = nullptr;
  if (!pending_.empty() && !pending_.back().sealed &&
      pending_.back().counts.size() + pending_.back().tally.links() < options_.max_batch_codes) {
    tail = &pending_.back();
  } else {
    tail = &pending_.emplace_back();
    tail->number = next_number_++;
    tail->bytes = kBatchOverhead;
  }
  tail->bytes += tally.bytes();
  if (tail->tally.empty())
    tail->tally = std::move(tally);
  else
    tail->tally.Merge(tally);
  if (tail->counts.empty()) {
    // The usual case (the last batch went out sealed): the second's counts
    // become the batch as they are. Copying them code by code made the
    // flush a burst of tens of thousands of allocations, run on the same
    // core as a worker (bench/redirect_vs_nginx.py --sched-trace).
    tail->counts = std::move(collected);
    for (const auto& [code, n] : tail->counts) {
      cpu_yield_.Tick();
      tail->clicks += n;
      tail->bytes += code.size() + kEntryOverhead;
    }
  } else {
    for (const auto& [code, n] : collected) {
      cpu_yield_.Tick();
      auto [it, inserted] = tail->counts.try_emplace(code, 0);
      it->second += n;
      tail->clicks += n;
      if (inserted) tail->bytes += code.size() + kEntryOverhead;
    }
  }
  tail->changed = true;
  EnforceBounds();
}

void ClickLedger::EnforceBounds() {
  size_t bytes = 0;
  for (const Pending& p : pending_) bytes += p.bytes;
  while (!pending_.empty() &&
         (pending_.size() > options_.max_pending_batches || bytes > options_.max_pending_bytes)) {
    const Pending& oldest = pending_.front();
    batches_dropped_->Add();
    clicks_lost_->Add(oldest.clicks);
    LogError("click buffer full: oldest batch dropped",
             {{"number", std::to_string(oldest.number)},
              {"clicks", std::to_string(oldest.clicks)},
              {"pending", std::to_string(pending_.size() - 1)}});
    bytes -= oldest.bytes;
    // Its number, if it was sealed, becomes a gap that PlanSend fills with
    // an empty batch; an open one's number is reused by Renumber().
    if (oldest.sealed) released_.push_back(oldest.number);
    if (oldest.in_state_file) state_stale_ = true;
    pending_.pop_front();
  }
}

void ClickLedger::OnWatermark(uint64_t watermark, Clock::time_point now) {
  if (confirmed_ && watermark < watermark_) {
    LogWarn("admin-api's click watermark went back (its data restored?)",
            {{"was", std::to_string(watermark_)}, {"now", std::to_string(watermark)}});
  }
  if (!confirmed_ || watermark > watermark_) {
    last_progress_ = now;
    resend_interval_ = options_.resend_after;
  }
  confirmed_ = true;
  admin_ok_ = true;
  watermark_ = watermark;
  while (!pending_.empty() && pending_.front().sealed && pending_.front().number <= watermark) {
    batches_acked_->Add();
    clicks_acked_->Add(pending_.front().clicks);
    released_.push_back(pending_.front().number);
    if (pending_.front().in_state_file) state_stale_ = true;
    pending_.pop_front();
  }
  Renumber();
}

void ClickLedger::Renumber() {
  // Open batches were never sent: they take the numbers right after what
  // admin-api has applied and what is sealed. A number at or below the
  // watermark would be taken for a duplicate and its clicks lost; that is
  // what a lost or stale state file would otherwise cause.
  uint64_t last = watermark_;
  for (Pending& p : pending_) {
    if (p.sealed) {
      last = std::max(last, p.number);
      continue;
    }
    if (p.number != last + 1) {
      p.number = last + 1;
      p.changed = numbers_dirty_ = true;
    }
    last = p.number;
  }
  // Not a change the state file must follow: numbering after a restart
  // comes from the sealed files and the watermark.
  next_number_ = last + 1;
}

void ClickLedger::Seal() {
  if (!confirmed_) return;  // numbers are known only once the watermark is
  size_t in_flight = 0;
  for (Pending& p : pending_) {
    if (p.sealed) {
      ++in_flight;
      continue;
    }
    // Past the window admin-api is not keeping up (or not consuming): the
    // open batch keeps absorbing clicks instead of growing the list.
    if (in_flight >= options_.max_in_flight) break;
    p.encoded = EncodeClickCounts(options_.node_id, p.number, p.counts, &cpu_yield_, &p.tally,
                                  options_.analytics, sealed_form_);
    p.counts = CodeCounts();
    p.tally = VisitTally();
    p.bytes = kBatchOverhead + p.encoded.size();
    p.sealed = true;
    p.durable = false;
    p.last_sent = {};
    // A state file that holds it open is rewritten without it before its
    // sealed file may go (once released), or it would come back as new.
    if (p.in_state_file) state_stale_ = true;
    p.in_state_file = false;
    sealed_dirty_ = true;
    ++in_flight;
  }
}

std::optional<ClickLedger::SendPlan> ClickLedger::PlanSend(Clock::time_point now,
                                                           bool stopping) const {
  if (!confirmed_) return std::nullopt;
  size_t sendable = 0;
  while (sendable < pending_.size() && pending_[sendable].sealed && pending_[sendable].durable)
    ++sendable;
  if (sendable == 0) return std::nullopt;

  SendPlan plan;
  plan.end = sendable;
  const Pending& oldest = pending_.front();
  auto wait = stopping ? std::min<Clock::duration>(resend_interval_, kStopResend)
                       : Clock::duration(resend_interval_);
  // Resend when the oldest went out long ago and admin-api, reachable, has
  // applied nothing since: the stream lost it (or the batch after a gap).
  plan.resend = oldest.last_sent != Clock::time_point{} && now - oldest.last_sent >= wait &&
                now - last_progress_ >= wait && admin_ok_;
  if (!plan.resend) {
    while (plan.first < sendable && pending_[plan.first].last_sent != Clock::time_point{})
      ++plan.first;
    if (plan.first == sendable) return std::nullopt;
  }
  // Numbers lost with dropped batches: empty batches let the watermark pass.
  // (If the real one is still in the stream, whichever comes first wins.)
  if (plan.first == 0) {
    for (uint64_t n = watermark_ + 1; n < oldest.number && plan.fillers.size() < kMaxFillers; ++n)
      plan.fillers.push_back(EncodeClickCounts(options_.node_id, n, {}));
    if (!plan.fillers.empty()) {
      LogWarn("sending empty click batches for numbers lost to overflow",
              {{"from", std::to_string(watermark_ + 1)},
               {"count", std::to_string(plan.fillers.size())}});
    }
  }
  return plan;
}

void ClickLedger::FinishResend(const SendPlan& plan) {
  LogInfo("click batches sent again", {{"from", std::to_string(pending_.front().number)},
                                       {"batches", std::to_string(plan.end)},
                                       {"watermark", std::to_string(watermark_)}});
  resend_interval_ = std::min(resend_interval_ * 2, options_.max_resend_after);
}

void ClickLedger::ForgetSent() {
  for (Pending& p : pending_) p.last_sent = {};
  resend_interval_ = options_.resend_after;
}

// State: magic | varint next number | varint batch count | per batch:
// sealed byte, varint length, EncodeClickBatch bytes | fixed64 FNV-1a of
// all before it. Written with open batches only; an older release's file
// has its sealed ones too.
std::string ClickLedger::EncodeState() const {
  std::string out(kStateMagic);
  wire::PutVarint(next_number_, &out);
  size_t open = 0;
  for (const Pending& p : pending_) open += p.sealed ? 0 : 1;
  wire::PutVarint(open, &out);
  for (const Pending& p : pending_) {
    if (p.sealed) continue;
    out.push_back(0);
    const std::string bytes =
        EncodeClickCounts(options_.node_id, p.number, p.counts, &cpu_yield_, &p.tally);
    wire::PutVarint(bytes.size(), &out);
    out.append(bytes);
  }
  wire::PutFixed64BE(Fnv1a64(out, &cpu_yield_), &out);
  return out;
}

std::vector<size_t> ClickLedger::UnpersistedSealed() const {
  std::vector<size_t> indexes;
  for (size_t i = 0; i < pending_.size(); ++i)
    if (pending_[i].sealed && !pending_[i].durable) indexes.push_back(i);
  return indexes;
}

bool ClickLedger::AnySealedWithoutFile() const {
  return std::any_of(pending_.begin(), pending_.end(),
                     [](const Pending& p) { return p.sealed && !p.durable; });
}

void ClickLedger::MarkDurable(size_t index) {
  pending_[index].durable = true;
  sealed_dirty_ = AnySealedWithoutFile();
}

bool ClickLedger::state_dirty() const {
  if (state_stale_) return true;
  for (const Pending& p : pending_)
    if (!p.sealed && p.changed) return true;
  return false;
}

void ClickLedger::MarkStateWritten() {
  for (Pending& p : pending_) {
    p.in_state_file = !p.sealed;
    p.changed = false;
  }
  state_stale_ = numbers_dirty_ = false;
}

void ClickLedger::MarkPersisted() {
  for (Pending& p : pending_) p.durable = p.sealed;
  MarkStateWritten();
  sealed_dirty_ = false;
  released_.clear();
}

Status ClickLedger::LoadState(std::string_view data) {
  auto corrupt = [&](std::string why) {
    pending_.clear();
    next_number_ = 1;
    sealed_dirty_ = false;
    return Status(MakeError(ErrorCode::kInvalidArgument, std::move(why)));
  };
  if (data.size() < kStateMagic.size() + 8 || !data.starts_with(kStateMagic))
    return corrupt("bad header");
  std::string_view body(data.data(), data.size() - 8);
  if (wire::GetFixed64BE(data.data() + body.size()) != Fnv1a64(body))
    return corrupt("bad checksum");
  wire::Reader reader(body.substr(kStateMagic.size()));
  uint64_t next = 0, count = 0;
  if (!reader.ReadVarint(&next) || !reader.ReadVarint(&count)) return corrupt("bad counts");
  pending_.clear();
  uint64_t last = 0;
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view sealed, bytes;
    uint64_t length = 0;
    if (!reader.ReadBytes(1, &sealed) || !reader.ReadVarint(&length) ||
        !reader.ReadBytes(length, &bytes)) {
      return corrupt("truncated batch");
    }
    auto batch = DecodeClickBatch(bytes);
    if (!batch.ok()) return corrupt(batch.error().message);
    if (batch->node != options_.node_id || batch->number <= last)
      return corrupt("batch of another node or out of order");
    last = batch->number;
    Pending& p = pending_.emplace_back();
    p.number = batch->number;
    p.sealed = sealed[0] != 0;
    p.durable = false;  // an older release's sealed batch: its own file comes first
    p.in_state_file = true;
    sealed_dirty_ = sealed_dirty_ || p.sealed;
    state_stale_ = state_stale_ || p.sealed;  // then a state file without it
    for (const ClickEntry& entry : batch->clicks) p.clicks += entry.count;
    if (p.sealed) {
      p.encoded.assign(bytes);
      p.bytes = kBatchOverhead + p.encoded.size();
    } else {
      p.bytes = kBatchOverhead;
      for (ClickEntry& entry : batch->clicks) {
        std::string key =
            entry.domain.empty() ? std::move(entry.code) : ClickKey(entry.domain, entry.code);
        if (!entry.dimensions.empty()) {
          VisitTally::LinkRef link = p.tally.Link(key);
          for (const DimensionCount& d : entry.dimensions)
            p.tally.Add(link, p.tally.Intern(d.dimension, d.value), d.count);
        }
        p.bytes += key.size() + kEntryOverhead;
        if (entry.count > 0) p.counts[std::move(key)] += entry.count;
      }
    }
  }
  if (!reader.done()) return corrupt("trailing bytes");
  for (Pending& p : pending_) p.bytes += p.tally.bytes();
  next_number_ = std::max(next, last + 1);
  return Status::Ok();
}

Status ClickLedger::LoadSealed(std::string_view bytes) {
  auto batch = DecodeClickBatch(bytes);
  if (!batch.ok()) return batch.error();
  if (batch->node != options_.node_id)
    return MakeError(ErrorCode::kInvalidArgument, "a batch of node " + batch->node);
  auto at = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) {
    return p.number > batch->number || (p.number == batch->number && p.sealed);
  });
  if (at != pending_.end() && at->number == batch->number) {
    at->durable = true;  // an older release's state file held it too: the same bytes
    sealed_dirty_ = AnySealedWithoutFile();
    return Status::Ok();
  }
  Pending p;
  p.number = batch->number;
  p.sealed = p.durable = true;
  for (const ClickEntry& entry : batch->clicks) p.clicks += entry.count;
  p.encoded.assign(bytes);
  p.bytes = kBatchOverhead + p.encoded.size();
  pending_.insert(at, std::move(p));
  return Status::Ok();
}

void ClickLedger::FinishLoad() {
  uint64_t last_sealed = 0;
  for (const Pending& p : pending_)
    if (p.sealed) last_sealed = std::max(last_sealed, p.number);
  uint64_t dropped = 0;
  std::erase_if(pending_, [&](const Pending& p) {
    bool stale = !p.sealed && p.number <= last_sealed;  // sealed since the state file was written
    dropped += stale ? 1 : 0;
    return stale;
  });
  std::stable_sort(pending_.begin(), pending_.end(),
                   [](const Pending& a, const Pending& b) { return a.number < b.number; });
  if (dropped > 0) {
    state_stale_ = true;
    LogInfo("open click batches found sealed in their own files; the sealed ones kept",
            {{"batches", std::to_string(dropped)}});
  }
  if (!pending_.empty()) next_number_ = std::max(next_number_, pending_.back().number + 1);
}

}  // namespace shortlink::redirector
