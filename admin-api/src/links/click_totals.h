// ClickTotals: how the link writer stores click totals cheaply and exactly.
//
// Applying a click batch must be durable and exactly once, and cheap: a
// node's batch after one busy second names ~100,000 links. Writing each
// clicked link's total per batch costs a memtable insert per link (issue
// 23 measured it as the bulk of admin-api's CPU per click). Instead:
//
// - Each commit that counts clicks writes ONE record to Table::kClickLog:
//   the clicks it counted, as a click batch (common/click_batch.h, so the
//   dimensions the analytics work adds travel in it for free), in the same
//   atomic write as the node's new watermark.
// - Now and then the log is folded: every total it changed is written to
//   Table::kClicks and the log records are deleted, in one atomic write.
// - At start, totals are read from kClicks (else from the link records of
//   an older database), then the log is replayed on top of them.
//
// So at any moment: total = kClicks (or record) + what the log holds. A
// commit that writes a link's record or total itself (an update, a delete,
// a click limit) while the log still holds clicks of that link folds in
// that same commit, or a replay would count those clicks twice.
//
// Thread safety: the link writer's thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "common/click_batch.h"
#include "common/cpu_yield.h"
#include "common/result.h"
#include "common/string_hash.h"
#include "links/link_index.h"
#include "store/database.h"
#include "store/write_batch.h"

namespace shortlink::admin {

class ClickTotals {
 public:
  // A clicked link since the last fold.
  struct Slot {
    std::string code;           // the link's, kept here: a commit may replace its entry
    LinkIndex::EntryRef entry;  // valid while the slot lives: a fold clears slots first
    uint64_t total = 0;         // committed clicks, log included
    uint64_t pending = 0;       // counted by the commit in the making
  };

  // Fold when the log is older, larger or names more links than this: the
  // bounds of replay time at start and of this map's memory (~100 B a slot).
  static constexpr auto kFoldEvery = std::chrono::seconds(30);
  static constexpr size_t kFoldLogBytes = size_t{64} << 20;
  static constexpr size_t kFoldSlots = size_t{1} << 20;

  // At start, after the index is loaded: applies kClicks then the log to it.
  Status Load(Database* db, LinkIndex* index);

  // The slot of a default-domain link clicked since the last fold, if any.
  Slot* Existing(const std::string& code);
  // The slot clicks on `code` are counted in, made from the index if need
  // be; null for a link the index does not hold, or one under its click
  // limit (written whole, with a change for the nodes, on every click: see
  // LinkService). One hash lookup for a link seen before: this runs once
  // per code of every click batch.
  Slot* Find(const std::string& code, const LinkIndex& index);
  // Adds clicks to the commit in the making.
  void Count(Slot* slot, uint64_t clicks);

  // The links whose record or total a commit writes itself (updates,
  // deletes, click limits), by code, as the writer's overlay holds them.
  using Rewritten = std::unordered_map<std::string, std::optional<Link>>;

  // Whether this commit must fold: due by the bounds, or `rewritten` names
  // a link the log holds clicks of.
  bool MustFold(const Rewritten& rewritten, std::chrono::steady_clock::time_point now) const;
  // Writes the commit's part: its log record, or (fold) every slot's total
  // but those in `rewritten` (written with their links) and the log's deletion.
  // `cpu_yield` is ticked per link (a fold names up to kFoldSlots).
  void Write(WriteBatch* wb, bool fold, const Rewritten& rewritten, CpuYield* cpu_yield);
  // After the write: the index gets the counted clicks, except for the
  // links in `rewritten` (the index takes their whole link instead). A fold
  // then drops every slot (the index's entries may be replaced next).
  void Committed(LinkIndex* index, bool folded, const Rewritten& rewritten,
                 std::chrono::steady_clock::time_point now, CpuYield* cpu_yield);
  // After a failed write: nothing counted, nothing folded.
  void Abandoned();

  // The one way a total is stored (Table::kClicks), by link key (dbkey::LinkOf).
  static void PutTotal(WriteBatch* wb, std::string_view link_key, uint64_t total);

  size_t slots() const { return slots_.size(); }
  size_t log_records() const { return log_.size(); }

 private:
  bool FoldDue(std::chrono::steady_clock::time_point now) const;
  Slot* FindOrMake(const std::string& code, const LinkIndex& index, bool under_limit_too);
  void WriteLogRecord(WriteBatch* wb);

  // The slots, in a deque so that they stay put as it grows (counted_ and
  // the map point to them), found through an open-addressing map keyed by
  // views of their codes: one lookup per code of every batch, over up to
  // a million links, so few cache misses and no allocation per slot.
  std::deque<Slot> store_;
  boost::unordered_flat_map<std::string_view, Slot*, StringHash, std::equal_to<>> slots_;
  std::vector<uint64_t> log_;  // log records since the last fold
  uint64_t next_log_ = 1;
  size_t log_bytes_ = 0;
  std::chrono::steady_clock::time_point last_fold_ = std::chrono::steady_clock::now();
  bool fold_now_ = false;  // a replayed log at start: fold with the first commit
  // The commit in the making: the slots it counted clicks for (each once),
  // and its clicks as the log record to write.
  std::vector<Slot*> counted_;
  std::vector<LinkIndex::ClickAdd> adds_;  // Committed's, kept for its capacity
  ClickBatch record_;
  size_t record_bytes_ = 0;  // its encoded size, once written
};

}  // namespace shortlink::admin
