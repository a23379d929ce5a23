#include "sync/change_applier.h"

#include <catch2/catch.hpp>

#include "sync_test_support.h"
#include "table/link_table.h"
#include "table/link_table_sink.h"

namespace shortlink::redirector {
namespace {

using testing::MakeLink;
using testing::MapSink;
using testing::Received;
using testing::TempDir;

ReceivedChange Make(uint64_t seq, ChangeOp op, const std::string& code, const std::string& url,
                    LinkState state = LinkState::kActive) {
  return Received(seq, op, MakeLink(code, url, state));
}

ReceivedChange OnDomain(uint64_t seq, ChangeOp op, const std::string& domain,
                        const std::string& code, const std::string& url) {
  Link link = MakeLink(code, url);
  link.domain = domain;
  return Received(seq, op, link);
}

ReceivedChange Up(uint64_t seq, const std::string& code,
                  const std::string& url = "https://x.example/") {
  return Make(seq, ChangeOp::kUpsert, code, url);
}

std::unique_ptr<ReplicaStore> OpenReplica(const std::string& dir) {
  auto store = ReplicaStore::Open(dir);
  REQUIRE(store.ok());
  return std::move(store).value();
}

// Applies `run` to the replica in `dir` and closes it again: a node that
// stopped. Every change must apply.
void ApplyAndClose(const std::string& dir, const std::vector<ReceivedChange>& run) {
  auto store = OpenReplica(dir);
  MapSink ignored;
  ChangeApplier applier(store.get(), &ignored);
  REQUIRE(applier.ApplyRun(run)->applied == run.size());
}

void AddToSnapshot(ReplicaSnapshotWriter* writer, const Link& link) {
  std::string record;
  EncodeLink(link, &record);
  REQUIRE(writer->Add(record).ok());
}

// A new replica and an applier that writes it and a MapSink.
class NewReplica {
 protected:
  TempDir dir;
  std::unique_ptr<ReplicaStore> store = OpenReplica(dir.path());
  MapSink table;
  ChangeApplier applier{store.get(), &table};
};

// A new replica and a LinkTable behind its sink, as a node has them; the
// test makes the applier.
class NewReplicaAndLinkTable {
 protected:
  TempDir dir;
  std::unique_ptr<ReplicaStore> store = OpenReplica(dir.path());
  LinkTable table;
  LinkTableSink sink{&table};
};

}  // namespace

TEST_CASE_METHOD(NewReplica, "changes apply only in sequence order", "[applier]") {
  CHECK(*applier.Apply(Up(1, "a", "https://a1.example/")) == ApplyOutcome::kApplied);
  CHECK(*applier.Apply(Up(3, "c")) == ApplyOutcome::kGap);  // 2 is missing
  CHECK(table.Get("c").empty());
  CHECK(store->Get("c").error().code == ErrorCode::kNotFound);
  CHECK(applier.applied_seq() == 1);

  CHECK(*applier.Apply(Up(2, "b")) == ApplyOutcome::kApplied);
  CHECK(*applier.Apply(Up(1, "a", "https://stale.example/")) == ApplyOutcome::kStale);
  CHECK(*applier.Apply(Up(2, "b", "https://stale.example/")) == ApplyOutcome::kStale);
  CHECK(table.Get("a") == "https://a1.example/");

  CHECK(*applier.Apply(Make(3, ChangeOp::kUpsert, "a", "https://a2.example/",
                            LinkState::kInactive)) == ApplyOutcome::kApplied);
  CHECK(table.Get("a") ==
        "inactive:https://a2.example/");  // the table keeps INACTIVE links, with state
  CHECK(*applier.Apply(Make(4, ChangeOp::kDelete, "b", "https://x.example/")) ==
        ApplyOutcome::kApplied);
  CHECK(table.Get("b").empty());
  CHECK(applier.applied_seq() == 4);
  CHECK(store->applied_seq() == 4);
  CHECK(store->Get("a")->state == LinkState::kInactive);
  CHECK(store->Get("b").error().code == ErrorCode::kNotFound);
}

TEST_CASE_METHOD(NewReplica, "a run skips what was applied and stops at a gap", "[applier]") {
  REQUIRE(*applier.Apply(Up(1, "a")) == ApplyOutcome::kApplied);

  std::vector<ReceivedChange> run = {Up(1, "a"), Up(2, "b"), Up(3, "c"), Up(5, "e"), Up(6, "f")};
  auto result = applier.ApplyRun(run);
  REQUIRE(result.ok());
  CHECK(result->stale == 1);
  CHECK(result->applied == 2);
  CHECK(result->gap);
  CHECK(applier.applied_seq() == 3);
  CHECK(table.size() == 3);
  CHECK(table.Get("e").empty());

  result = applier.ApplyRun(std::vector<ReceivedChange>{});
  CHECK(result->applied == 0);
  CHECK_FALSE(result->gap);
}

TEST_CASE("loading the replica fills the table", "[applier]") {
  TempDir dir;
  ApplyAndClose(dir.path(),
                {Up(1, "a"), Up(2, "b"),
                 Make(3, ChangeOp::kUpsert, "c", "https://c.example/", LinkState::kInactive),
                 Make(4, ChangeOp::kDelete, "a", "https://x.example/")});
  auto store = OpenReplica(dir.path());
  MapSink table;
  ChangeApplier applier(store.get(), &table);
  auto loaded = applier.LoadReplica();
  REQUIRE(loaded.ok());
  CHECK(loaded->links == 2);
  CHECK(table.Get("b") == "https://x.example/");
  CHECK(table.Get("c") == "inactive:https://c.example/");
  CHECK(applier.applied_seq() == 4);
}

// The load runs on two threads (scan and decode, insert) with chunks of
// about 1 MiB between them: enough links here for many chunks.
TEST_CASE("loading a large replica brings every link to the LinkTable, rules included",
          "[applier][concurrent]") {
  TempDir dir;
  constexpr int kLinks = 40'000;
  auto code_of = [](int i) { return "load-" + std::to_string(i); };
  auto url_of = [](int i) {
    return "https://www.example.com/landing/page/" + std::to_string(i) + "?utm_source=test";
  };
  std::vector<ReceivedChange> run;
  for (int i = 0; i < kLinks; ++i) {
    Link link = MakeLink(code_of(i), url_of(i), i % 5 ? LinkState::kActive : LinkState::kInactive);
    if (i % 1000 == 7) link.rules.redirect_type = 301;  // a link with rules
    run.push_back(Received(uint64_t(i) + 1, ChangeOp::kUpsert, link));
  }
  ApplyAndClose(dir.path(), run);
  auto store = OpenReplica(dir.path());
  LinkTable table;
  LinkTableSink sink(&table);
  ChangeApplier applier(store.get(), &sink);
  auto loaded = applier.LoadReplica();
  REQUIRE(loaded.ok());
  CHECK(loaded->links == kLinks);
  CHECK(loaded->corrupt == 0);
  CHECK(table.size() == kLinks);
  RcuThreadScope reader;
  int mismatches = 0, with_rules = 0;
  for (int i = 0; i < kLinks; ++i) {
    bool found = table.Find(code_of(i), [&](const LinkView& view) {
      LinkState state = i % 5 ? LinkState::kActive : LinkState::kInactive;
      if (view.long_url != url_of(i) || view.state != state) ++mismatches;
      if (view.rules) {
        ++with_rules;
        if (i % 1000 != 7 || view.rules->rules.redirect_type != 301) ++mismatches;
      }
    });
    if (!found) ++mismatches;
  }
  CHECK(mismatches == 0);
  CHECK(with_rules == kLinks / 1000);
}

TEST_CASE_METHOD(NewReplica, "a snapshot brings the table to the snapshot's state", "[applier]") {
  std::vector<ReceivedChange> run = {Up(1, "old"), Up(2, "same", "https://same.example/"),
                                     Up(3, "edit")};
  REQUIRE(applier.ApplyRun(run)->applied == 3);

  auto writer = applier.BeginSnapshot();
  REQUIRE(writer.ok());
  for (const auto& link :
       {MakeLink("same", "https://same.example/"), MakeLink("edit", "https://edited.example/"),
        MakeLink("fresh", "https://fresh.example/")}) {
    AddToSnapshot(writer->get(), link);
  }
  CHECK(table.Get("old") == "https://x.example/");  // still served until the commit
  REQUIRE(applier.CommitSnapshot(writer->get(), 40).ok());
  CHECK(table.size() == 3);
  CHECK(table.Get("old").empty());
  CHECK(table.Get("edit") == "https://edited.example/");
  CHECK(table.Get("fresh") == "https://fresh.example/");
  CHECK(applier.applied_seq() == 40);
  CHECK(*applier.Apply(Up(41, "next")) == ApplyOutcome::kApplied);
}

TEST_CASE_METHOD(NewReplicaAndLinkTable,
                 "through LinkTableSink, changes reach the LinkTable with their state",
                 "[applier]") {
  ChangeApplier applier(store.get(), &sink);
  std::vector<ReceivedChange> run = {
      Up(1, "a", "https://a.example/"), Up(2, "b"),
      Make(3, ChangeOp::kUpsert, "a", "https://a2.example/", LinkState::kInactive),
      Make(4, ChangeOp::kDelete, "b", "https://x.example/")};
  REQUIRE(applier.ApplyRun(run)->applied == 4);

  RcuThreadScope reader;
  std::string url;
  LinkState state = LinkState::kActive;
  CHECK(table.Find("a", [&](const LinkView& view) {
    url = view.long_url;
    state = view.state;
  }));
  CHECK(url == "https://a2.example/");
  CHECK(state == LinkState::kInactive);
  CHECK_FALSE(table.Find("b", [](const LinkView&) {}));
  CHECK(table.size() == 1);
}

TEST_CASE_METHOD(NewReplicaAndLinkTable,
                 "changes upsert and erase by (domain, code), in the replica and the table",
                 "[applier][domain]") {
  {
    ChangeApplier applier(store.get(), &sink);
    std::vector<ReceivedChange> run = {
        Up(1, "x", "https://default.example/"),
        OnDomain(2, ChangeOp::kUpsert, "a.example", "x", "https://a.example/"),
        OnDomain(3, ChangeOp::kUpsert, "b.example", "x", "https://b.example/")};
    REQUIRE(applier.ApplyRun(run)->applied == 3);
    // A delete on one domain leaves the same code on the others.
    CHECK(*applier.Apply(OnDomain(4, ChangeOp::kDelete, "a.example", "x", "https://a.example/")) ==
          ApplyOutcome::kApplied);
  }
  RcuThreadScope reader;
  auto served = [&](std::string_view host) {
    std::string url;
    table.Find(host, "x", [&](const LinkView& view) { url = view.long_url; });
    return url;
  };
  CHECK(served("b.example") == "https://b.example/");
  CHECK(served("a.example") == "https://default.example/");  // no link left there: default
  CHECK(served("go.example") == "https://default.example/");
  CHECK(table.size() == 2);
  CHECK(store->Get(LinkKey{"a.example", "x"}).error().code == ErrorCode::kNotFound);
  CHECK(store->Get(LinkKey{"b.example", "x"})->long_url == "https://b.example/");

  // A restart: the replica brings every domain's links back.
  LinkTable reloaded;
  LinkTableSink reloaded_sink(&reloaded);
  ChangeApplier again(store.get(), &reloaded_sink);
  auto stats = again.LoadReplica();
  REQUIRE(stats.ok());
  CHECK(stats->links == 2);
  std::string url;
  CHECK(reloaded.Find("B.Example:443", "x", [&](const LinkView& view) { url = view.long_url; }));
  CHECK(url == "https://b.example/");
  CHECK(reloaded.domains() == 1);

  // A snapshot that moves the link from one domain to another.
  auto writer = again.BeginSnapshot();
  REQUIRE(writer.ok());
  for (const auto& [domain, code] :
       {std::pair<std::string, std::string>{"", "x"}, {"c.example", "x"}}) {
    Link link = MakeLink(code, "https://" + (domain.empty() ? "default.example" : domain) + "/");
    link.domain = domain;
    AddToSnapshot(writer->get(), link);
  }
  REQUIRE(again.CommitSnapshot(writer->get(), 10).ok());
  url.clear();
  reloaded.Find("c.example", "x", [&](const LinkView& view) { url = view.long_url; });
  CHECK(url == "https://c.example/");
  url.clear();
  reloaded.Find("b.example", "x", [&](const LinkView& view) { url = view.long_url; });
  CHECK(url == "https://default.example/");
  CHECK(reloaded.domains() == 1);
}

}  // namespace shortlink::redirector
