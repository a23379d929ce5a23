// UsageMeter (usage/usage_meter.h) on a real RocksDB: requests counted per
// team and UTC month (an injected clock rolls the month over), durable once
// WaitDurable returns, kept across a restart, exact under concurrent
// requests, and the block policy refusing past the included requests.
#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "store/database.h"
#include "store/db_keys.h"
#include "support/temp_dir.h"
#include "usage/usage_keys.h"
#include "usage/usage_meter.h"

namespace shortlink::admin::usage {
namespace {

constexpr int64_t kDec31 = 1798761590;  // 2026-12-31T23:59:50Z
const Month kDecember = MonthOf(kDec31);

struct Meter {
  explicit Meter(std::string dir, uint64_t included = kDefaultIncluded) : dir(std::move(dir)) {
    Open(included);
  }
  void Open(uint64_t included = kDefaultIncluded) {
    meter.reset();
    db.reset();
    auto opened = Database::Open(dir);
    REQUIRE(opened.ok());
    db = std::move(*opened);
    auto started = UsageMeter::Start(db.get(), {included, [this] { return now.load(); }, &metrics});
    REQUIRE(started.ok());
    meter = std::move(*started);
  }
  // One request of `team`, answered once durable; false when refused.
  bool Request(uint64_t team) {
    auto admission = meter->Admit(team);
    if (!admission.allowed) return false;
    REQUIRE(meter->WaitDurable(admission.ticket));
    return true;
  }
  uint64_t OnDisk(uint64_t team, Month month) {
    auto value = db->Get(Table::kUsage, CounterKey(team, month));
    REQUIRE(value.ok());
    uint64_t n = 0;
    if (*value) REQUIRE(dbkey::ParseNumber(**value, &n));
    return n;
  }
  bool SetPolicy(uint64_t team, Policy policy) {
    std::promise<Status> done;
    meter->SetPolicy(team, policy, [&done](Status s) { done.set_value(s); });
    return done.get_future().get().ok();
  }

  std::string dir;
  MetricsRegistry metrics;
  std::atomic<int64_t> now{kDec31};
  std::unique_ptr<Database> db;
  std::unique_ptr<UsageMeter> meter;
};

TEST_CASE("usage meter: counts each team's requests, durable once answered", "[usage]") {
  testing::TempDir dir;
  Meter m(dir.path());
  for (int i = 0; i < 3; ++i) REQUIRE(m.Request(7));
  REQUIRE(m.Request(8));
  CHECK(m.meter->Requests(7, kDecember) == 3);
  CHECK(m.meter->Requests(8, kDecember) == 1);
  CHECK(m.meter->Requests(9, kDecember) == 0);
  // On disk already: WaitDurable returned after the synced write.
  CHECK(m.OnDisk(7, kDecember) == 3);
  CHECK(m.OnDisk(8, kDecember) == 1);
}

TEST_CASE("usage meter: a new UTC month starts from zero, the old one stays", "[usage]") {
  testing::TempDir dir;
  Meter m(dir.path());
  REQUIRE(m.Request(7));
  REQUIRE(m.Request(7));
  m.now = kDec31 + 10;  // 2027-01-01T00:00:00Z
  const Month january = MonthOf(m.now);
  REQUIRE(january == kDecember + 1);
  REQUIRE(m.Request(7));
  CHECK(m.meter->Requests(7, kDecember) == 2);
  CHECK(m.meter->Requests(7, january) == 1);
}

TEST_CASE("usage meter: a restart keeps every count and policy", "[usage]") {
  testing::TempDir dir;
  Meter m(dir.path());
  for (int i = 0; i < 5; ++i) REQUIRE(m.Request(7));
  REQUIRE(m.SetPolicy(7, Policy::kBlock));
  m.Open();
  CHECK(m.meter->Requests(7, kDecember) == 5);
  CHECK(m.meter->PolicyOf(7) == Policy::kBlock);
  CHECK(m.meter->PolicyOf(8) == Policy::kMeter);
  REQUIRE(m.Request(7));
  m.Open();
  CHECK(m.meter->Requests(7, kDecember) == 6);
}

TEST_CASE("usage meter: concurrent requests are counted exactly, in fewer batches",
          "[usage][concurrent]") {
  testing::TempDir dir;
  Meter m(dir.path());
  constexpr int kThreads = 8, kEach = 250;
  std::atomic<uint64_t> highest_ticket{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto admission = m.meter->Admit(100 + t % 2);
        uint64_t seen = highest_ticket.load();
        while (admission.ticket > seen &&
               !highest_ticket.compare_exchange_weak(seen, admission.ticket)) {
        }
        m.meter->WaitDurable(admission.ticket);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(m.meter->Requests(100, kDecember) + m.meter->Requests(101, kDecember) == kThreads * kEach);
  CHECK(m.meter->Requests(100, kDecember) == kThreads / 2 * kEach);
  // Group commit: one batch carries several requests (8 threads each
  // waiting for theirs), so there were fewer batches than requests.
  CHECK(highest_ticket.load() < kThreads * kEach);
  CHECK(m.metrics.GetCounter("admin_usage_batches_total", "")->value() <= highest_ticket.load());
  CHECK(m.metrics.GetCounter("admin_usage_write_failures_total", "")->value() == 0);
  m.Open();
  CHECK(m.meter->Requests(100, kDecember) == kThreads / 2 * kEach);
  CHECK(m.meter->Requests(101, kDecember) == kThreads / 2 * kEach);
}

TEST_CASE(
    "usage meter: block refuses past the included requests until the next month, "
    "uncounted",
    "[usage]") {
  testing::TempDir dir;
  Meter m(dir.path(), /*included=*/3);
  REQUIRE(m.SetPolicy(7, Policy::kBlock));
  for (int i = 0; i < 3; ++i) REQUIRE(m.Request(7));
  auto refused = m.meter->Admit(7);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_seconds == 10);  // to 2027-01-01T00:00:00Z
  CHECK(m.meter->Requests(7, kDecember) == 3);
  // The usage routes pass (may_block false) and are counted.
  CHECK(m.meter->Admit(7, /*may_block=*/false).allowed);
  CHECK(m.meter->Requests(7, kDecember) == 4);
  // Meter: served past the included requests, the overage counted.
  REQUIRE(m.Request(8));
  for (int i = 0; i < 5; ++i) REQUIRE(m.Request(8));
  CHECK(m.meter->Requests(8, kDecember) == 6);
  // The next month serves the blocked team again.
  m.now = kDec31 + 10;
  CHECK(m.Request(7));
  // And back to meter, the block is gone.
  m.now = kDec31;
  REQUIRE(m.SetPolicy(7, Policy::kMeter));
  CHECK(m.Request(7));
}

}  // namespace
}  // namespace shortlink::admin::usage
