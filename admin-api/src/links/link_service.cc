#include "links/link_service.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <unordered_map>

#include "accounts/api_key.h"
#include "common/change.h"
#include "common/clock.h"
#include "common/cpu_yield.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "common/validation.h"
#include "store/analytics_keys.h"
#include "store/db_keys.h"

namespace shortlink::admin {
namespace {

constexpr size_t kMaxMutationsPerCommit = 4096;

bool OnlyClicks(const std::vector<Mutation>& mutations) {
  return std::all_of(mutations.begin(), mutations.end(),
                     [](const Mutation& m) { return std::holds_alternative<ApplyClicks>(m); });
}

Error NotFound(const std::string& code) {
  return MakeError(ErrorCode::kNotFound, "Short link \"" + code + "\" does not exist.");
}

Error NoSuchDomain(const std::string& host) {
  return MakeError(ErrorCode::kNotFound, "Domain \"" + host + "\" does not exist.");
}

// The overlay's key of a link: its code on the default domain (as the click
// totals name links), EncodeLinkKey elsewhere; the two never collide, since
// only the latter holds a 0x00 byte.
std::string OverlayKey(std::string_view domain, std::string_view code) {
  return domain.empty() ? std::string(code) : EncodeLinkKey({domain, code});
}

}  // namespace

// The state of one commit in the making: mutations see the index plus what
// earlier mutations of the same batch did, so two creates of one code in a
// batch conflict exactly as they would in two batches.
class LinkService::Batch {
 public:
  Batch(Database& db, LinkIndex* index, ClickTotals* totals, uint64_t first_seq,
        const std::unordered_map<std::string, uint64_t>* watermarks, CpuYield* cpu_yield,
        const DomainSet* domains, const CampaignDirectory* campaigns)
      : db_(&db),
        domains_(domains),
        campaigns_(campaigns),
        index_(index),
        totals_(totals),
        cpu_yield_(cpu_yield),
        next_seq_(first_seq),
        committed_watermarks_(watermarks),
        wb_(db) {}

  MutationResult Apply(const Mutation& m, int64_t now_ms) {
    return std::visit([&](const auto& op) { return Do(op, now_ms); }, m);
  }

  WriteBatch& write_batch() { return wb_; }
  // This commit's click analytics (links/click_analytics.h), from `now_hour`.
  void StartAnalytics(uint32_t now_hour, uint32_t retention_hours, uint32_t team_weeks_from) {
    analytics_ = ClickAnalytics(now_hour, retention_hours, team_weeks_from);
  }
  const ClickAnalytics& analytics() const { return analytics_; }
  std::vector<Change>& changes() { return changes_; }
  uint64_t last_seq() const { return next_seq_ - 1; }
  // The final state of every link this batch touched (nullopt: deleted).
  // Keyed by OverlayKey.
  const std::unordered_map<std::string, std::optional<Link>>& touched() const { return overlay_; }
  // The final state of every domain this batch touched (nullopt: removed).
  const std::unordered_map<std::string, std::optional<DomainRecord>>& touched_domains() const {
    return domain_overlay_;
  }
  uint64_t clicks_counted() const { return clicks_counted_; }
  // Click batches applied so far (duplicates and refusals not counted).
  size_t click_batches_applied() const { return click_batches_applied_; }
  const std::unordered_map<std::string, uint64_t>& new_watermarks() const {
    return new_watermarks_;
  }

 private:
  // nullopt: no such link; a held nullopt link: deleted in this batch.
  std::optional<Link> Current(const std::string& code) { return Current("", code); }
  std::optional<Link> Current(const std::string& domain, const std::string& code) {
    auto it = overlay_.find(OverlayKey(domain, code));
    if (it != overlay_.end()) return it->second;
    std::optional<Link> link = index_->Get(LinkKey{domain, code});
    if (!domain.empty()) return link;  // clicks are counted on the default domain only so far
    if (ClickTotals::Slot* slot = totals_->Existing(code); link && slot)
      link->clicks += slot->pending;
    return link;
  }

  // An entry's dimensions, for a link that exists as this batch leaves it
  // (as its clicks are counted: a link the index lacks counts none).
  void CountDimensions(const ClickEntry& entry) {
    uint64_t team = 0;
    auto touched = overlay_.empty() ? overlay_.end() : overlay_.find(entry.code);
    if (touched != overlay_.end()) {
      if (!touched->second) return;  // deleted in this batch
      team = touched->second->owner;
    } else if (auto target = index_->FindClickTarget(entry.code)) {
      team = target->owner;
    } else {
      return;
    }
    analytics_.Add(dbkey::Link(dbkey::kDefaultDomain, entry.code), team, entry);
  }

  // Clicks on a custom domain's link: its total is written whole in each
  // commit that counts it, through the overlay, as for a link under its
  // click limit (ClickTotals' log holds the default domain's links only;
  // custom domains hold far fewer). Exactly once: the total is written with
  // the batch's watermark.
  void CountOffDefault(const ClickEntry& entry) {
    auto current = Current(entry.domain, entry.code);
    if (!current) return;  // deleted since the click, or in this batch
    bool under_limit = current->rules.max_clicks > current->clicks;  // false without a limit
    current->clicks += entry.count;
    clicks_counted_ += entry.count;
    if (under_limit) {
      Record(ChangeOp::kUpsert, *current);  // nodes enforce maxClicks from the total they are sent
      return;
    }
    ClickTotals::PutTotal(&wb_, dbkey::LinkOf(*current), current->clicks);
    overlay_[OverlayKey(entry.domain, entry.code)] = std::move(current);
  }

  // The domain `host` as this batch leaves it; nullopt: none.
  std::optional<DomainRecord> CurrentDomain(const std::string& host) const {
    auto it = domain_overlay_.find(host);
    if (it != domain_overlay_.end()) return it->second;
    return domains_->Get(host);
  }

  // Whether any link lives on `host`, committed or made in this batch.
  bool DomainHasLinks(const std::string& host) {
    for (const auto& [key, link] : overlay_)
      if (link && link->domain == host) return true;
    bool found = false;
    Status s = db_->Scan(Table::kLinks, dbkey::LinkDomainPrefix(host),
                         [&](std::string_view key, std::string_view) {
                           LinkKey parsed;
                           // Deleted in this batch: not a link any more.
                           found = DecodeLinkKey(key, &parsed) &&
                                   !overlay_.count(OverlayKey(parsed.domain, parsed.code));
                           return !found;
                         });
    return found || !s.ok();  // unreadable: keep the domain rather than orphan links
  }

  void RecordDomain(ChangeOp op, const DomainRecord& domain) {
    Change change;
    change.seq = next_seq_++;
    change.op = op;
    change.domain = domain;
    if (op == ChangeOp::kDomainUpsert) {
      std::string value;
      EncodeDomain(domain, &value);
      wb_.Put(Table::kDomains, domain.host, value);
      domain_overlay_[domain.host] = domain;
    } else {
      wb_.Delete(Table::kDomains, domain.host);
      domain_overlay_[domain.host] = std::nullopt;
    }
    std::string entry;
    EncodeChange(change, &entry);
    wb_.Put(Table::kChanges, dbkey::Change(change.seq), entry);
    changes_.push_back(std::move(change));
  }

  // `is_new`: a create, whose total no table holds (a delete removes it).
  void Record(ChangeOp op, const Link& link, bool is_new = false) {
    Change change{next_seq_++, op, link};
    std::string key = dbkey::LinkOf(link);
    if (op == ChangeOp::kUpsert) {
      std::string value;
      EncodeLink(link, &value);
      wb_.Put(Table::kLinks, key, value);
      // The table's total replaces the record's at start: they agree again.
      if (!is_new) ClickTotals::PutTotal(&wb_, key, link.clicks);
      overlay_[OverlayKey(link.domain, link.code)] = link;
    } else {
      wb_.Delete(Table::kLinks, key);
      wb_.Delete(Table::kClicks, key);  // a link made again later starts from 0
      // Its analytics too, in this commit (store/analytics_keys.h).
      analytics_.Forget(key);
      analytics_.DeleteTeamWeeks(key, link.owner, link.created_at_ms, &wb_);
      for (char kind : analytics_key::kLinkRowKinds) {
        std::string begin = analytics_key::LinkPrefix(kind, key), end = begin;
        end.back() = '\x01';
        wb_.DeleteRange(Table::kAnalytics, begin, end);
      }
      overlay_[OverlayKey(link.domain, link.code)] = std::nullopt;
    }
    std::string entry;
    EncodeChange(change, &entry);
    wb_.Put(Table::kChanges, dbkey::Change(change.seq), entry);
    changes_.push_back(std::move(change));
  }

  // The optional fields of a create or a PATCH, then the link's rules as a
  // whole: here, against the link as it is now, since a PATCH may give only
  // one half of a pair (expiredUrl) whose other half (expiresAt) is stored.
  Status ApplyFields(const LinkPatch& fields, Link* link) const {
    if (Status s = ApplyLinkPatch(fields, link); !s.ok()) return s;
    // A campaign the request names (a link keeps one it already has).
    if (fields.campaign && *fields.campaign != 0 &&
        !(campaigns_ && campaigns_->MayName(link->owner, *fields.campaign))) {
      return MakeError(ErrorCode::kInvalidArgument, "campaignId " +
                                                        std::to_string(*fields.campaign) +
                                                        " is not one of your team's campaigns.");
    }
    return CheckLinkRules(*link);
  }

  MutationResult Do(const CreateLink& op, int64_t now_ms) {
    if (!op.domain.empty()) {
      std::optional<DomainRecord> domain = CurrentDomain(op.domain);
      if (!domain || domain->team != op.domain_team) {
        return {MakeError(ErrorCode::kInvalidArgument,
                          "domain \"" + op.domain + "\" is not one of your team's domains."),
                {}};
      }
    }
    std::string code = op.code;
    if (code.empty()) {
      // 36^8 codes: a collision is rare, and each retry is a fresh draw.
      do code = RandomCode(kRandomCodeLength);
      while (Current(op.domain, code));
    } else if (Current(op.domain, code)) {
      return {MakeError(ErrorCode::kConflict, "Short link \"" + code + "\" is already used."), {}};
    }
    Link link;
    link.code = std::move(code);
    link.long_url = op.long_url;
    link.owner = op.owner;
    link.domain = op.domain;
    link.is_file = op.is_file;
    link.created_at_ms = link.updated_at_ms = now_ms;
    if (Status s = ApplyFields(op.fields, &link); !s.ok()) return {s.error(), {}};
    Record(ChangeOp::kUpsert, link, /*is_new=*/true);
    return {Status::Ok(), std::move(link)};
  }

  MutationResult Do(const UpdateLink& op, int64_t now_ms) {
    auto current = Current(op.domain, op.code);
    if (!current || current->owner != op.owner) return {NotFound(op.code), {}};
    Link link = std::move(*current);
    if (op.long_url) link.long_url = *op.long_url;
    if (op.state) link.state = *op.state;
    if (Status s = ApplyFields(op.fields, &link); !s.ok()) return {s.error(), {}};
    link.updated_at_ms = now_ms;
    Record(ChangeOp::kUpsert, link);
    return {Status::Ok(), std::move(link)};
  }

  MutationResult Do(const DeleteLink& op, int64_t /*now_ms*/) {
    auto current = Current(op.domain, op.code);
    if (!current || current->owner != op.owner) return {NotFound(op.code), {}};
    Record(ChangeOp::kDelete, *current);
    return {Status::Ok(), std::move(*current)};
  }

  MutationResult Do(const PutDomain& op, int64_t now_ms) {
    std::optional<DomainRecord> current = CurrentDomain(op.domain.host);
    DomainRecord domain = op.domain;
    if (op.create) {
      if (current) {
        return {MakeError(ErrorCode::kStateConflict,
                          "Domain \"" + domain.host + "\" is already registered."),
                {}};
      }
      domain.created_at_ms = domain.updated_at_ms = now_ms;
    } else {
      if (!current || current->team != domain.team) return {NoSuchDomain(domain.host), {}};
      domain.created_at_ms = current->created_at_ms;
      domain.updated_at_ms = now_ms;
    }
    RecordDomain(ChangeOp::kDomainUpsert, domain);
    MutationResult result{Status::Ok(), {}};
    result.domain = std::move(domain);
    return result;
  }

  MutationResult Do(const RemoveDomain& op, int64_t /*now_ms*/) {
    std::optional<DomainRecord> current = CurrentDomain(op.host);
    if (!current || current->team != op.team) return {NoSuchDomain(op.host), {}};
    if (DomainHasLinks(op.host)) {
      return {MakeError(ErrorCode::kStateConflict,
                        "Domain \"" + op.host +
                            "\" still has links: delete them first (GET /api/v1/urls?domain=" +
                            op.host + " lists them)."),
              {}};
    }
    RecordDomain(ChangeOp::kDomainDelete, *current);
    MutationResult result{Status::Ok(), {}};
    result.domain = std::move(*current);
    return result;
  }

  MutationResult Do(const ApplyClicks& op, int64_t /*now_ms*/) {
    const ClickBatch& b = op.batch;
    uint64_t watermark = 0;
    if (auto it = new_watermarks_.find(b.node); it != new_watermarks_.end())
      watermark = it->second;
    else if (auto c = committed_watermarks_->find(b.node); c != committed_watermarks_->end())
      watermark = c->second;
    if (b.number <= watermark) return {Status::Ok(), {}};  // applied before: exactly once
    if (b.number != watermark + 1) {
      return {MakeError(ErrorCode::kInvalidArgument, "click batch out of order"), {}};
    }
    for (const ClickEntry& entry : b.clicks) {
      cpu_yield_->Tick();  // a batch can name 50,000 links: ~40 ms uniform
      const std::string& code = entry.code;
      const uint64_t count = entry.count;
      // Before the count's check: an entry may hold bot visits only.
      if (!entry.dimensions.empty() && entry.domain.empty()) CountDimensions(entry);
      if (count == 0) continue;
      if (!entry.domain.empty()) {
        CountOffDefault(entry);
        continue;
      }
      if (overlay_.empty() || !overlay_.count(code)) {
        // The common case, a link no mutation of this batch touched and
        // without a click limit (or past it): counted in ClickTotals.
        if (ClickTotals::Slot* slot = totals_->Find(code, *index_)) {
          totals_->Count(slot, count);
          clicks_counted_ += count;
          continue;
        }
      }
      // A link changed in this batch, or under its click limit: the link as
      // a whole goes through the overlay, its pending clicks with it.
      auto current = Current(code);
      if (!current) continue;                                          // deleted in this batch
      bool under_limit = current->rules.max_clicks > current->clicks;  // false without a limit
      current->clicks += count;
      clicks_counted_ += count;
      if (under_limit) {
        // Nodes enforce maxClicks from the total they are sent (see ApplyClicks).
        Record(ChangeOp::kUpsert, *current);
        continue;
      }
      // Clicks are not a change the edge needs: the total is written, the log untouched.
      ClickTotals::PutTotal(&wb_, dbkey::LinkOf(*current), current->clicks);
      overlay_[code] = std::move(current);
    }
    std::string number;
    wire::PutFixed64BE(b.number, &number);
    wb_.Put(Table::kClickWatermarks, b.node, number);
    new_watermarks_[b.node] = b.number;
    ++click_batches_applied_;
    return {Status::Ok(), {}};
  }

  Database* db_;
  const DomainSet* domains_;
  const CampaignDirectory* campaigns_;  // may be null
  LinkIndex* index_;
  ClickTotals* totals_;
  CpuYield* cpu_yield_;
  uint64_t next_seq_;
  const std::unordered_map<std::string, uint64_t>* committed_watermarks_;
  std::unordered_map<std::string, uint64_t> new_watermarks_;
  uint64_t clicks_counted_ = 0;
  ClickAnalytics analytics_{0, ClickAnalytics::kDefaultRetentionHours};
  size_t click_batches_applied_ = 0;
  WriteBatch wb_;
  std::vector<Change> changes_;
  std::unordered_map<std::string, std::optional<Link>> overlay_;
  std::unordered_map<std::string, std::optional<DomainRecord>> domain_overlay_;
};

LinkService::LinkService(Database* db, LinkIndex* index, MetricsRegistry* metrics,
                         std::vector<ChangeListener*> listeners)
    : db_(db),
      index_(index),
      listeners_(std::move(listeners)),
      commit_seconds_(
          metrics->GetHistogram("admin_commit_seconds", "Time to commit one group of mutations.")),
      commits_(
          metrics->GetCounter("admin_commits_total", "Groups of mutations committed to RocksDB.")),
      clicks_applied_(metrics->GetCounter("admin_clicks_applied_total",
                                          "Clicks applied from node click batches.")),
      paced_commits_(metrics->GetCounter(
          "admin_commits_paced_total",
          "Commits of click batches alone made paced (the clicks kept up with the stream).")) {}

Result<std::unique_ptr<LinkService>> LinkService::Start(Database* db, LinkIndex* index,
                                                        MetricsRegistry* metrics,
                                                        std::vector<ChangeListener*> listeners) {
  std::unique_ptr<LinkService> service(new LinkService(db, index, metrics, std::move(listeners)));
  Status scan = db->Scan(Table::kLinks, "", [&](std::string_view, std::string_view value) {
    auto link = DecodeLink(value);
    if (link.ok())
      index->LoadUnsorted(std::move(link).value());
    else
      LogError("skipping an unreadable link record", {{"detail", link.error().message}});
    return true;
  });
  if (!scan.ok()) return scan.error();
  index->FinishLoad();
  scan = db->Scan(Table::kDomains, "", [&](std::string_view, std::string_view value) {
    auto domain = DecodeDomain(value);
    if (domain.ok())
      service->domains_.Put(*domain);
    else
      LogError("skipping an unreadable domain record", {{"detail", domain.error().message}});
    return true;
  });
  if (!scan.ok()) return scan.error();
  if (Status loaded = service->totals_.Load(db, index); !loaded.ok()) return loaded.error();
  service->last_seq_ = db->GetNumber(Table::kMeta, dbkey::kLastSeq);
  scan = db->Scan(Table::kClickWatermarks, "", [&](std::string_view node, std::string_view value) {
    if (uint64_t number; dbkey::ParseNumber(value, &number))
      service->click_watermarks_[std::string(node)] = number;
    return true;
  });
  if (!scan.ok()) return scan.error();
  metrics->AddCallbackGauge("admin_links", "Links stored.",
                            [index] { return double(index->size()); });
  metrics->AddCallbackGauge("admin_change_seq", "Sequence number of the newest change.",
                            [s = service.get()] { return double(s->last_seq()); });
  service->thread_ = std::thread([s = service.get()] {
    NameThisThread("link-writer");
    LowerThisThreadPriority();  // the API's writes wait a little on a shared core; the edge does
                                // not
    s->Run();
  });
  return service;
}

LinkService::~LinkService() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    hurry_.store(true);  // what is left is committed at full speed
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t LinkService::click_watermark(const std::string& node) const {
  std::lock_guard lock(mu_);
  auto it = click_watermarks_.find(node);
  return it == click_watermarks_.end() ? 0 : it->second;
}

uint64_t LinkService::last_seq() const {
  std::lock_guard lock(mu_);
  return last_seq_;
}

void LinkService::Submit(std::vector<Mutation> mutations, MutationCallback done) {
  {
    std::lock_guard lock(mu_);
    if (!OnlyClicks(mutations)) hurry_.store(true);  // an API caller waits for the writer
    queue_.push_back(Job{std::move(mutations), std::move(done)});
  }
  cv_.notify_one();
}

void LinkService::SetClicksBehind(bool behind) {
  std::lock_guard lock(mu_);
  clicks_behind_ = behind;
  if (behind) hurry_.store(true);
}

std::vector<MutationResult> LinkService::SubmitAndWait(std::vector<Mutation> mutations) {
  std::promise<std::vector<MutationResult>> promise;
  auto future = promise.get_future();
  Submit(std::move(mutations),
         [&promise](std::vector<MutationResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

void LinkService::Run() {
  for (;;) {
    std::deque<Job> jobs;
    bool paced;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to commit
      size_t taken = 0;
      while (!queue_.empty() &&
             (jobs.empty() || taken + queue_.front().mutations.size() <= kMaxMutationsPerCommit)) {
        taken += queue_.front().mutations.size();
        jobs.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      const bool only_clicks = std::all_of(
          jobs.begin(), jobs.end(), [](const Job& job) { return OnlyClicks(job.mutations); });
      paced = only_clicks && !clicks_behind_;
      hurry_.store(!paced);
    }
    cpu_yield_.SetPaced(paced, &hurry_);
    if (paced) paced_commits_->Add();
    CommitJobs(jobs);
  }
}

void LinkService::CommitJobs(std::deque<Job>& jobs) {
  auto started = std::chrono::steady_clock::now();
  uint64_t first_seq;
  {
    std::lock_guard lock(mu_);
    first_seq = last_seq_ + 1;
  }
  // The writer thread is the only one that changes click_watermarks_, so
  // reading it here without the lock is safe.
  cpu_yield_.Restart();  // the thread just woke up: a fresh slice
  Batch batch(*db_, index_, &totals_, first_seq, &click_watermarks_, &cpu_yield_, &domains_,
              campaigns_.load());
  int64_t now_ms = NowMillis();
  batch.StartAnalytics(uint32_t(now_ms / 3'600'000), analytics_retention_hours_.load(),
                       team_weeks_from_.load());
  std::vector<std::vector<MutationResult>> results;
  results.reserve(jobs.size());
  // Where the applied click batches are, for the click listener: asked once
  // per commit, so a commit nobody listens to keeps nothing.
  ClickListener* click_listener = click_listener_.load();
  if (click_listener && !click_listener->WantsClicks()) click_listener = nullptr;
  std::vector<std::pair<size_t, size_t>> applied_clicks;  // (job, mutation)
  for (size_t i = 0; i < jobs.size(); ++i) {
    auto& out = results.emplace_back();
    out.reserve(jobs[i].mutations.size());
    for (size_t j = 0; j < jobs[i].mutations.size(); ++j) {
      const size_t applied_before = batch.click_batches_applied();
      out.push_back(batch.Apply(jobs[i].mutations[j], now_ms));
      if (click_listener && batch.click_batches_applied() != applied_before)
        applied_clicks.emplace_back(i, j);
    }
  }
  const auto clicks_now = std::chrono::steady_clock::now();
  const bool fold = totals_.MustFold(batch.touched(), clicks_now);
  totals_.Write(&batch.write_batch(), fold, batch.touched(), &cpu_yield_);
  batch.analytics().Write(&batch.write_batch());

  if (batch.write_batch().Count() > 0) {
    if (!batch.changes().empty()) {
      std::string seq_value;
      wire::PutFixed64BE(batch.last_seq(), &seq_value);
      batch.write_batch().Put(Table::kMeta, dbkey::kLastSeq, seq_value);
    }
    Status written = db_->Write(&batch.write_batch());
    if (!written.ok()) {
      // Nothing was stored: every mutation that would have succeeded fails.
      for (auto& job_results : results)
        for (auto& r : job_results)
          if (r.status.ok()) r = MutationResult{written.error(), {}};
      batch.changes().clear();
      totals_.Abandoned();
    } else {
      {
        std::lock_guard lock(mu_);
        last_seq_ = batch.last_seq();
        for (const auto& [node, number] : batch.new_watermarks()) click_watermarks_[node] = number;
      }
      for (const auto& [key, link] : batch.touched()) {
        cpu_yield_.Tick();
        LinkKey off_default;
        if (link)
          index_->Put(*link);
        else if (DecodeLinkKey(key, &off_default))  // OverlayKey of a custom domain's link
          index_->Remove(off_default);
        else
          index_->Remove(key);
      }
      for (const auto& [host, domain] : batch.touched_domains()) {
        if (domain)
          domains_.Put(*domain);
        else
          domains_.Remove(host);
      }
      totals_.Committed(index_, fold, batch.touched(), clicks_now, &cpu_yield_);
      clicks_applied_->Add(batch.clicks_counted());
      commits_->Add();
      // The batches are the jobs' own, done with: moved, not copied.
      for (auto [i, j] : applied_clicks) {
        auto& clicks = std::get<ApplyClicks>(jobs[i].mutations[j]).batch.clicks;
        click_listener->OnClicksCounted(std::move(clicks));
      }
    }
  }
  // Listeners only queue, so they go first: nodes hear of a change as early
  // as possible, and never before it is durable. The last listener takes the
  // encoded change, the others a copy.
  if (!listeners_.empty()) {
    for (const Change& c : batch.changes()) {
      std::string encoded;
      EncodeChange(c, &encoded);
      for (size_t i = 0; i + 1 < listeners_.size(); ++i) listeners_[i]->OnCommitted(c, encoded);
      listeners_.back()->OnCommitted(c, std::move(encoded));
    }
  }
  for (size_t i = 0; i < jobs.size(); ++i) jobs[i].done(std::move(results[i]));
  commit_seconds_->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace shortlink::admin
