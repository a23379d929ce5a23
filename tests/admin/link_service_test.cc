#include "links/link_service.h"

#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "common/change.h"
#include "link_test_support.h"
#include "nodes/change_log.h"

namespace shortlink::admin {
namespace {

using Fixture = testing::ServiceFixture;
using testing::AllChanges;

}  // namespace

TEST_CASE("create, update, delete each write one change in sequence") {
  Fixture f;
  auto created = f.One(CreateLink{7, "https://example.com/a", "abc"});
  REQUIRE(created.status.ok());
  CHECK(created.link.owner == 7);
  auto updated =
      f.One(UpdateLink{7, "abc", std::string("https://example.com/b"), LinkState::kInactive});
  REQUIRE(updated.status.ok());
  CHECK(updated.link.long_url == "https://example.com/b");
  CHECK(updated.link.state == LinkState::kInactive);
  CHECK(updated.link.created_at_ms == created.link.created_at_ms);
  REQUIRE(f.One(DeleteLink{7, "abc"}).status.ok());

  auto changes = AllChanges(f.db.get());
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].seq == 1);
  CHECK(changes[0].op == ChangeOp::kUpsert);
  CHECK(changes[1].link.long_url == "https://example.com/b");
  CHECK(changes[2].op == ChangeOp::kDelete);
  CHECK(changes[2].seq == 3);
  CHECK(f.service->last_seq() == 3);
  CHECK_FALSE(f.index.Contains("abc"));
}

TEST_CASE("conflicts and ownership are checked, within one batch too") {
  Fixture f;
  std::vector<Mutation> batch;
  batch.emplace_back(CreateLink{1, "https://example.com/1", "same"});
  batch.emplace_back(CreateLink{2, "https://example.com/2", "same"});
  batch.emplace_back(UpdateLink{2, "same", std::nullopt, LinkState::kInactive});
  batch.emplace_back(DeleteLink{1, "missing"});
  auto results = f.service->SubmitAndWait(std::move(batch));
  CHECK(results[0].status.ok());
  REQUIRE_FALSE(results[1].status.ok());
  CHECK(results[1].status.error().code == ErrorCode::kConflict);
  CHECK(results[1].status.error().message == "Short link \"same\" is already used.");
  CHECK(results[2].status.error().code == ErrorCode::kNotFound);  // owned by user 1
  CHECK(results[3].status.error().code == ErrorCode::kNotFound);
  CHECK(AllChanges(f.db.get()).size() == 1);
}

TEST_CASE("random codes are 8 of [a-z0-9] and distinct") {
  Fixture f;
  std::vector<Mutation> batch;
  for (int i = 0; i < 2000; ++i)
    batch.emplace_back(CreateLink{1, "https://example.com/", "", false});
  auto results = f.service->SubmitAndWait(std::move(batch));
  std::set<std::string> codes;
  for (const auto& r : results) {
    REQUIRE(r.status.ok());
    REQUIRE(r.link.code.size() == 8);
    CHECK(r.link.code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") ==
          std::string::npos);
    codes.insert(r.link.code);
  }
  CHECK(codes.size() == 2000);
}

TEST_CASE("concurrent submitters are all answered and the log stays gap-free", "[concurrent]") {
  Fixture f;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (f.One(CreateLink{1, "https://example.com/",
                             "t" + std::to_string(t) + "-" + std::to_string(i)})
                .status.ok())
          ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 800);
  auto changes = AllChanges(f.db.get());
  REQUIRE(changes.size() == 800);
  for (size_t i = 0; i < changes.size(); ++i) CHECK(changes[i].seq == i + 1);
}

TEST_CASE("a restart reloads links and continues the sequence") {
  testing::TempDir dir;
  {
    testing::ServiceOn first(dir.path());
    REQUIRE(first.One(CreateLink{1, "https://example.com/keep", "keep"}).status.ok());
  }
  testing::ServiceOn again(dir.path());
  CHECK(again.index.Get("keep")->long_url == "https://example.com/keep");
  CHECK(again.service->last_seq() == 1);
  REQUIRE(again.One(CreateLink{1, "https://example.com/next", "next"}).status.ok());
  CHECK(again.service->last_seq() == 2);
}

TEST_CASE("the snapshot reader streams every link with the seq it matches") {
  Fixture f;
  std::vector<Mutation> batch;
  for (int i = 0; i < 3000; ++i)
    batch.emplace_back(CreateLink{1, "https://example.com/" + std::to_string(i), ""});
  f.service->SubmitAndWait(std::move(batch));
  SnapshotReader reader(f.db.get());
  // A change after the snapshot began is not in it.
  f.One(CreateLink{1, "https://example.com/later", "later"});
  CHECK(reader.seq() == 3000);
  size_t links = 0, pieces = 0;
  for (bool more = true; more;) {
    std::string out;
    auto next = reader.Next(16 * 1024, &out);
    REQUIRE(next.ok());
    more = *next;
    ++pieces;
    FrameReader frames;
    frames.Feed(out);
    std::string_view frame;
    bool corrupt = false;
    while (frames.Next(&frame, &corrupt)) {
      CHECK(DecodeLink(frame).value().code != "later");
      ++links;
    }
  }
  CHECK(links == 3000);
  CHECK(pieces > 1);
}

// The state the commit of the next test leaves, checked before and after a restart.
void CheckCounted(testing::ServiceOn& s) {
  CHECK(s.index.Get("onlyclicked")->clicks == 13u);
  CHECK(s.index.Get("updated")->clicks == 7u);
  CHECK(s.index.Get("updated")->long_url == "https://example.com/new");
  CHECK_FALSE(s.index.Contains("deleted"));
  CHECK(s.index.Get("othernode")->clicks == 5u);
  CHECK(s.service->click_watermark("node-1") == 2u);
  CHECK(s.service->click_watermark("node-2") == 1u);
}

TEST_CASE("clicks in one commit with updates and deletes of the same links") {
  testing::TempDir dir;
  {
    testing::ServiceOn f(dir.path());
    std::vector<Mutation> creates;
    for (const char* code : {"onlyclicked", "updated", "deleted", "othernode"})
      creates.emplace_back(CreateLink{1, std::string("https://example.com/") + code, code});
    for (auto& r : f.service->SubmitAndWait(std::move(creates))) REQUIRE(r.status.ok());

    // One commit: clicks before and after an update and a delete of the
    // same links, from two nodes, and a click on a link that never was.
    std::vector<Mutation> ms;
    ms.emplace_back(ApplyClicks{ClickBatch{
        "node-1", 1, {{"onlyclicked", 2}, {"updated", 3}, {"deleted", 1}, {"nosuchlink", 5}}}});
    ms.emplace_back(UpdateLink{1, "updated", std::string("https://example.com/new"), std::nullopt});
    ms.emplace_back(DeleteLink{1, "deleted"});
    ms.emplace_back(
        ApplyClicks{ClickBatch{"node-1", 2, {{"onlyclicked", 1}, {"updated", 4}, {"deleted", 7}}}});
    ms.emplace_back(ApplyClicks{ClickBatch{"node-2", 1, {{"othernode", 5}, {"onlyclicked", 10}}}});
    auto results = f.service->SubmitAndWait(std::move(ms));
    for (auto& r : results) REQUIRE(r.status.ok());
    CHECK(results[1].link.clicks == 3u);  // the update sees the clicks counted before it

    CheckCounted(f);
    auto changes = AllChanges(f.db.get());
    REQUIRE(changes.size() == 6);  // 4 creates, the update, the delete: clicks are no change
    CHECK(changes[4].link.clicks == 3u);
  }
  // What the index showed is what RocksDB holds.
  testing::ServiceOn again(dir.path());
  CheckCounted(again);
}

}  // namespace shortlink::admin
