#include "usage/usage_meter.h"

#include <future>

#include "common/log.h"
#include "common/thread_name.h"
#include "store/write_batch.h"
#include "usage/usage_keys.h"

namespace shortlink::admin::usage {
namespace {

int64_t SystemSeconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string_view PolicyName(Policy policy) { return policy == Policy::kBlock ? "block" : "meter"; }

bool ParsePolicy(std::string_view text, Policy* policy) {
  if (text == "meter") {
    *policy = Policy::kMeter;
  } else if (text == "block") {
    *policy = Policy::kBlock;
  } else {
    return false;
  }
  return true;
}

UsageMeter::UsageMeter(Database* db, Options options)
    : db_(db),
      included_(options.included),
      now_seconds_(options.now_seconds ? std::move(options.now_seconds) : SystemSeconds) {}

Result<std::unique_ptr<UsageMeter>> UsageMeter::Start(Database* db, Options options) {
  MetricsRegistry* metrics = options.metrics;
  std::unique_ptr<UsageMeter> meter(new UsageMeter(db, std::move(options)));
  if (metrics) {
    meter->batches_ =
        metrics->GetCounter("admin_usage_batches_total",
                            "Synced writes of the request counters (usage/): one per group "
                            "of requests that arrived while the previous one was written.");
    meter->write_failures_ = metrics->GetCounter(
        "admin_usage_write_failures_total",
        "Writes of the request counters that failed (retried; answers were not held back).");
    meter->batch_seconds_ = metrics->GetHistogram(
        "admin_usage_batch_seconds", "Time of one synced write of the request counters.");
  }
  if (Status loaded = meter->Load(); !loaded.ok()) return loaded.error();
  meter->writer_ = std::thread([m = meter.get()] {
    NameThisThread("usage-writer");
    m->WriterLoop();
  });
  return meter;
}

UsageMeter::~UsageMeter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
}

Status UsageMeter::Load() {
  std::lock_guard lock(mu_);
  return db_->Scan(Table::kUsage, "", [this](std::string_view key, std::string_view value) {
    uint64_t team = 0, count = 0;
    Month month = 0;
    Policy policy;
    if (ParseCounterKey(key, &team, &month) && dbkey::ParseNumber(value, &count)) {
      counts_[{team, month}] = count;
    } else if (ParsePolicyKey(key, &team) && ParsePolicy(value, &policy)) {
      policies_[team] = policy;
    } else {
      LogWarn("usage: skipping an unreadable record", {{"key_bytes", std::to_string(key.size())}});
    }
    return true;
  });
}

UsageMeter::Admission UsageMeter::Admit(uint64_t team, bool may_block) {
  int64_t now = now_seconds_();
  TeamMonth key{team, MonthOf(now)};
  Admission admission;
  {
    std::lock_guard lock(mu_);
    uint64_t& count = counts_[key];
    if (may_block && count >= included_) {
      auto policy = policies_.find(team);
      if (policy != policies_.end() && policy->second == Policy::kBlock) {
        return Admission{false, 0, SecondsToNextMonth(now)};
      }
    }
    ++count;
    dirty_.insert(key);
    admission.ticket = open_batch_;
  }
  wake_.notify_one();
  return admission;
}

void UsageMeter::OnSettled(uint64_t ticket, std::function<void(bool)> settled) {
  bool ok;
  {
    std::lock_guard lock(mu_);
    if (ticket > settled_batch_) {
      waiters_.emplace_back(ticket, std::move(settled));
      return;
    }
    ok = last_write_ok_;
  }
  settled(ok);
}

bool UsageMeter::WaitDurable(uint64_t ticket) {
  std::promise<bool> written;
  OnSettled(ticket, [&written](bool ok) { written.set_value(ok); });
  return written.get_future().get();
}

void UsageMeter::SetPolicy(uint64_t team, Policy policy, std::function<void(Status)> done) {
  {
    std::lock_guard lock(mu_);
    policy_writes_.push_back({team, policy, std::move(done)});
  }
  wake_.notify_one();
}

uint64_t UsageMeter::Requests(uint64_t team, Month month) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find({team, month});
  return it == counts_.end() ? 0 : it->second;
}

Policy UsageMeter::PolicyOf(uint64_t team) const {
  std::lock_guard lock(mu_);
  auto it = policies_.find(team);
  return it == policies_.end() ? Policy::kMeter : it->second;
}

void UsageMeter::WriterLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !dirty_.empty() || !policy_writes_.empty(); });
    if (dirty_.empty() && policy_writes_.empty()) return;  // stopping, all written

    // Take everything counted so far: this batch's number closes, and
    // requests admitted from now on wait for the next one.
    std::set<TeamMonth> dirty = std::move(dirty_);
    dirty_.clear();
    std::vector<PolicyWrite> policy_writes = std::move(policy_writes_);
    policy_writes_.clear();
    const uint64_t batch_number = open_batch_++;
    WriteBatch batch(*db_);
    for (const TeamMonth& tm : dirty)
      batch.Put(Table::kUsage, CounterKey(tm.team, tm.month), dbkey::Number(counts_[tm]));
    for (const PolicyWrite& w : policy_writes)
      batch.Put(Table::kUsage, PolicyKey(w.team), PolicyName(w.policy));

    lock.unlock();
    auto started = std::chrono::steady_clock::now();
    Status written = db_->Write(&batch);  // synced: one fsync for the whole batch
    if (batches_) {
      batches_->Add();
      if (!written.ok()) write_failures_->Add();
      batch_seconds_->Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    lock.lock();

    settled_batch_ = batch_number;
    last_write_ok_ = written.ok();
    if (written.ok()) {
      for (const PolicyWrite& w : policy_writes) policies_[w.team] = w.policy;
    } else {
      // The totals are still in counts_: mark them to write again.
      dirty_.insert(dirty.begin(), dirty.end());
      LogError("usage: cannot write the request counters; retrying",
               {{"detail", written.error().message}});
    }
    std::vector<std::function<void(bool)>> settled;
    std::erase_if(waiters_, [&](auto& waiter) {
      if (waiter.first > batch_number) return false;
      settled.push_back(std::move(waiter.second));
      return true;
    });
    lock.unlock();
    for (auto& done : settled) done(written.ok());
    for (PolicyWrite& w : policy_writes) w.done(written);
    lock.lock();
    if (!written.ok() && !stopping_)
      wake_.wait_for(lock, kRetryDelay, [this] { return stopping_; });
    if (!written.ok() && stopping_) {
      LogError("usage: stopping with request counters unwritten");
      return;
    }
  }
}

}  // namespace shortlink::admin::usage
