#include "links/click_totals.h"

#include "common/log.h"
#include "store/db_keys.h"

namespace shortlink::admin {
void ClickTotals::PutTotal(WriteBatch* wb, std::string_view link_key, uint64_t total) {
  wb->Put(Table::kClicks, link_key, dbkey::Number(total));
}

Status ClickTotals::Load(Database* db, LinkIndex* index) {
  Status scan = db->Scan(Table::kClicks, "", [&](std::string_view key, std::string_view value) {
    LinkKey link;
    uint64_t total = 0;
    if (!DecodeLinkKey(key, &link) || !dbkey::ParseNumber(value, &total)) {
      LogError("skipping an unreadable click total");
      return true;
    }
    if (auto target = index->FindClickTarget(link)) index->SetClicks(target->entry, total);
    return true;
  });
  if (!scan.ok()) return scan;
  // The log on top, in order; its links become slots, folded with the next commit.
  size_t replayed = 0;
  scan = db->Scan(Table::kClickLog, "", [&](std::string_view key, std::string_view value) {
    uint64_t seq = 0;
    auto record = DecodeClickBatch(value);
    if (!dbkey::ParseNumber(key, &seq) || !record.ok()) {
      // Never silently: these clicks were acknowledged to a node.
      LogError("unreadable click log record: its clicks are not counted",
               {{"seq", std::to_string(seq)}});
      return true;
    }
    for (const ClickEntry& e : record.value().clicks) {
      if (!e.domain.empty()) continue;  // only the default domain counts clicks so far
      // Whatever the link's limit: these clicks were counted.
      Slot* slot = FindOrMake(e.code, *index, /*under_limit_too=*/true);
      if (!slot) continue;  // deleted: a delete folds first, so this cannot be
      index->AddClicks(slot->entry, e.count);
      slot->total += e.count;
    }
    log_.push_back(seq);
    log_bytes_ += value.size();
    next_log_ = seq + 1;
    ++replayed;
    return true;
  });
  if (!scan.ok()) return scan;
  fold_now_ = replayed > 0;
  if (replayed > 0)
    LogInfo("click log replayed",
            {{"records", std::to_string(replayed)}, {"links", std::to_string(slots_.size())}});
  return Status::Ok();
}

ClickTotals::Slot* ClickTotals::Existing(const std::string& code) {
  auto it = slots_.find(std::string_view(code));
  return it == slots_.end() ? nullptr : it->second;
}

ClickTotals::Slot* ClickTotals::Find(const std::string& code, const LinkIndex& index) {
  return FindOrMake(code, index, /*under_limit_too=*/false);
}

ClickTotals::Slot* ClickTotals::FindOrMake(const std::string& code, const LinkIndex& index,
                                           bool under_limit_too) {
  // All the buckets a fold's worth of links needs, at the first: growing
  // rehashes the whole map at once, up to milliseconds on a core that a
  // redirect node or its load may share, never paced (issue 23).
  if (slots_.empty() && slots_.bucket_count() < kFoldSlots) slots_.reserve(kFoldSlots);
  if (auto it = slots_.find(std::string_view(code)); it != slots_.end()) return it->second;
  auto target = index.FindClickTarget(code);
  if (!target || (!under_limit_too && target->max_clicks > target->clicks)) return nullptr;
  Slot& slot = store_.emplace_back();
  slot.code = code;
  slot.entry = target->entry;
  slot.total = target->clicks;
  slots_.emplace(slot.code, &slot);
  return &slot;
}

void ClickTotals::Count(Slot* slot, uint64_t clicks) {
  if (slot->pending == 0) counted_.push_back(slot);
  slot->pending += clicks;
  record_.clicks.emplace_back(slot->code, clicks);
}

bool ClickTotals::MustFold(const Rewritten& rewritten,
                           std::chrono::steady_clock::time_point now) const {
  if (fold_now_ || now - last_fold_ >= kFoldEvery || log_bytes_ >= kFoldLogBytes ||
      slots_.size() >= kFoldSlots)
    return !slots_.empty() || !log_.empty();
  for (const auto& [code, link] : rewritten)
    if (slots_.count(code)) return true;
  return false;
}

void ClickTotals::Write(WriteBatch* wb, bool fold, const Rewritten& rewritten,
                        CpuYield* cpu_yield) {
  if (fold) {
    for (const Slot& slot : store_) {
      cpu_yield->Tick();
      if (rewritten.empty() || !rewritten.count(slot.code))
        PutTotal(wb, dbkey::Link(dbkey::kDefaultDomain, slot.code), slot.total + slot.pending);
    }
    for (uint64_t seq : log_) wb->Delete(Table::kClickLog, dbkey::Number(seq));
    return;
  }
  if (record_.clicks.empty()) return;
  // A click batch needs a source and a number: the log's own.
  record_.node = "click-log";
  record_.number = next_log_;
  std::string value;
  EncodeClickBatch(record_, &value, cpu_yield);
  wb->Put(Table::kClickLog, dbkey::Number(next_log_), value);
  record_bytes_ = value.size();
}

void ClickTotals::Committed(LinkIndex* index, bool folded, const Rewritten& rewritten,
                            std::chrono::steady_clock::time_point now, CpuYield* cpu_yield) {
  // Slots and entries are scattered over the heap, one cache miss each:
  // slots are fetched a few ahead here, entries by LinkIndex::AddClicks,
  // which also takes its lock once per few hundred links, not per link.
  constexpr size_t kAhead = 8;
  adds_.clear();
  for (size_t i = 0; i < counted_.size(); ++i) {
    if (i + kAhead < counted_.size()) __builtin_prefetch(counted_[i + kAhead], 1);
    Slot* slot = counted_[i];
    cpu_yield->Tick();
    if (rewritten.empty() || !rewritten.count(slot->code))
      adds_.push_back({slot->entry, slot->pending});
    slot->total += slot->pending;
    slot->pending = 0;
  }
  index->AddClicks(adds_, cpu_yield);
  if (folded) {
    slots_.clear();  // first: its keys view the slots' codes
    store_.clear();
    log_.clear();
    log_bytes_ = 0;
    last_fold_ = now;
    fold_now_ = false;
  } else if (!record_.clicks.empty()) {
    log_.push_back(next_log_++);
    log_bytes_ += record_bytes_;
  }
  counted_.clear();
  record_.clicks.clear();
  record_bytes_ = 0;
}

void ClickTotals::Abandoned() {
  for (Slot* slot : counted_) slot->pending = 0;
  counted_.clear();
  record_.clicks.clear();
  record_bytes_ = 0;
}

}  // namespace shortlink::admin
