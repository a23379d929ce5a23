// LinkService: the one writer of links. Every mutation goes through a single
// thread that validates it against current state, gives it the next change
// sequence number and commits it, with its change-log entry, in one RocksDB
// WriteBatch. Mutations queued while a commit is in flight are committed
// together in the next batch (group commit): one fsync for many requests.
//
// Only after the batch is durable are the index updated, the changes handed
// to the listeners (change_listener.h) and the callers answered. A failed
// write answers every mutation of the batch with the error and changes
// nothing.
//
// Thread safety: Submit may be called from any thread; callbacks run on the
// writer thread and must be quick (post the result elsewhere).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "common/click_batch.h"
#include "common/cpu_yield.h"
#include "common/domain.h"
#include "common/link.h"
#include "common/metrics.h"
#include "common/result.h"
#include "links/campaign_directory.h"
#include "links/change_listener.h"
#include "links/click_analytics.h"
#include "links/click_totals.h"
#include "links/domain_set.h"
#include "links/link_index.h"
#include "links/link_patch.h"
#include "store/database.h"

namespace shortlink::admin {

struct CreateLink {
  uint64_t owner = 0;
  std::string long_url;  // validated by the caller
  std::string code;      // normalized by the caller; empty = pick a random one
  bool is_file = false;
  LinkPatch fields{};  // title, tags, rules: each checked by the caller, together here
  // A custom domain (normalized by the caller; empty: the default one). It
  // must exist at commit and belong to `domain_team`.
  std::string domain;
  uint64_t domain_team = 0;
};

struct UpdateLink {
  uint64_t owner = 0;
  std::string code;
  std::optional<std::string> long_url;
  std::optional<LinkState> state;
  LinkPatch fields{};  // applied to the link as it is at commit, then checked together
  std::string domain;  // empty: the default domain
};

struct DeleteLink {
  uint64_t owner = 0;
  std::string code;
  std::string domain;  // empty: the default domain
};

// A custom domain created (`create`: the host must be free, across teams)
// or changed (the host must exist and be `domain.team`'s). Committed with a
// change-log entry (ChangeOp::kDomainUpsert), so every node learns it.
struct PutDomain {
  DomainRecord domain;
  bool create = false;
};

// A custom domain removed: it must be `team`'s and hold no link (kConflict).
struct RemoveDomain {
  std::string host;
  uint64_t team = 0;
};

// Clicks counted by a node. Applied at most once: a batch whose number is at
// or below the node's watermark is a duplicate (answered OK, changes
// nothing); one past watermark + 1 is refused as out of order (the node
// sends it again after the missing one).
//
// Clicks are not a change the edge needs, so a link's new total is stored
// without a change-log entry (through the click log: links/click_totals.h); except for a link with
// maxClicks that was still under its limit before the batch: its total goes out as an upsert, so
// that every node learns the global count and sends visitors to clickLimitUrl once it reaches
// maxClicks. A node thus overshoots the limit by at most the clicks all nodes count in one flush
// interval, plus the propagation delay.
struct ApplyClicks {
  ClickBatch batch;
};

using Mutation =
    std::variant<CreateLink, UpdateLink, DeleteLink, ApplyClicks, PutDomain, RemoveDomain>;

struct MutationResult {
  Status status;
  Link link;              // the link after the mutation (before it, for a delete)
  DomainRecord domain{};  // likewise, for a domain mutation
};

using MutationCallback = std::function<void(std::vector<MutationResult>)>;

class LinkService {
 public:
  // Loads every link into `index` before returning. `listeners` (not owned,
  // outliving the service) hear of each committed change, in this order.
  static Result<std::unique_ptr<LinkService>> Start(Database* db, LinkIndex* index,
                                                    MetricsRegistry* metrics,
                                                    std::vector<ChangeListener*> listeners = {});
  ~LinkService();  // commits what is queued, then stops

  // Queues `mutations`; `done` gets one result per mutation, in order.
  void Submit(std::vector<Mutation> mutations, MutationCallback done);
  // Blocking form, for the CLI and tests.
  std::vector<MutationResult> SubmitAndWait(std::vector<Mutation> mutations);

  uint64_t last_seq() const;
  // The custom domains as committed (read by the domain routes).
  const DomainSet& domains() const { return domains_; }
  // Where the writer checks, at commit, a campaign a create or update
  // names (not owned; outlives the service). None: every campaign is
  // refused.
  void SetCampaignDirectory(const CampaignDirectory* campaigns) { campaigns_.store(campaigns); }
  // Who hears of the clicks each commit counts (not owned; outlives the
  // service). None: no one, and nothing is kept for it.
  void SetClickListener(ClickListener* listener) { click_listener_.store(listener); }
  // Hours of click analytics kept hourly before they are daily rows
  // (links/click_analytics.h); the rollup's retention must not be shorter.
  void SetAnalyticsRetentionHours(uint32_t hours) { analytics_retention_hours_.store(hours); }
  // The first week of team-week analytics rows (store/team_weeks.h).
  void SetTeamWeeksFrom(uint32_t week) { team_weeks_from_.store(week); }
  // The highest click batch number applied from `node` (0: none).
  uint64_t click_watermark(const std::string& node) const;

  // Click work is paced (common/cpu_yield.h) while it keeps up: 50 us of
  // CPU, then a 200 us sleep, so that on a shared machine it never
  // holds a core the edge or its load needs for more than ~50 us. Commits
  // of clicks alone are paced unless the click consumer says clicks are
  // behind (SetClicksBehind); anything else, or a job queued meanwhile,
  // runs at full speed. Paced, the writer applies ~1M clicks/s at most
  // (20% of a core at ~0.2 us a click); beyond, it falls behind and
  // catches up unpaced.
  void SetClicksBehind(bool behind);

 private:
  struct Job {
    std::vector<Mutation> mutations;
    MutationCallback done;
  };
  class Batch;

  LinkService(Database* db, LinkIndex* index, MetricsRegistry* metrics,
              std::vector<ChangeListener*> listeners);
  void Run();
  void CommitJobs(std::deque<Job>& jobs);

  Database* db_;
  LinkIndex* index_;
  const std::vector<ChangeListener*> listeners_;
  Histogram* commit_seconds_;
  Counter* commits_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;  // GUARDED_BY(mu_)
  uint64_t last_seq_ = 0;  // GUARDED_BY(mu_) for readers; written by the writer thread
  std::unordered_map<std::string, uint64_t> click_watermarks_;  // GUARDED_BY(mu_), as last_seq_
  bool clicks_behind_ = false;                                  // GUARDED_BY(mu_)
  // Set (under mu_) when the commit under way must not be paced: a job
  // waits behind it, or clicks are behind.
  std::atomic<bool> hurry_{false};
  ClickTotals totals_;  // the writer thread's only
  DomainSet domains_;
  std::atomic<const CampaignDirectory*> campaigns_{nullptr};
  std::atomic<ClickListener*> click_listener_{nullptr};
  std::atomic<uint32_t> analytics_retention_hours_{ClickAnalytics::kDefaultRetentionHours};
  std::atomic<uint32_t> team_weeks_from_{ClickAnalytics::kNoTeamWeeks};
  CpuYield cpu_yield_;  // the writer thread's: long click applies let edge workers run
  Counter* clicks_applied_;
  Counter* paced_commits_;
  std::thread thread_;
};

}  // namespace shortlink::admin
