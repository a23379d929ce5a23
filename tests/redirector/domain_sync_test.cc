// Custom domains reaching a node (issue 19): a domain change decoded as
// received, applied in seq order with the links to the replica and the
// LinkTable, loaded again at a restart, and replaced by a snapshot that
// carries domains (kept by one that does not: a replica layout upgrade).
#include <catch2/catch.hpp>

#include "common/change.h"
#include "sync/change_applier.h"
#include "sync_test_support.h"
#include "table/link_table.h"
#include "table/link_table_sink.h"

namespace shortlink::redirector {
namespace {

using testing::MakeLink;
using testing::TempDir;

DomainRecord Domain(std::string host, std::string root = "", std::string not_found = "") {
  DomainRecord d;
  d.host = std::move(host);
  d.team = 3;
  d.root_redirect = std::move(root);
  d.not_found_url = std::move(not_found);
  d.created_at_ms = d.updated_at_ms = 1'800'000'000'000;
  return d;
}

ReceivedChange DomainChange(uint64_t seq, ChangeOp op, const DomainRecord& d) {
  Change change;
  change.seq = seq;
  change.op = op;
  change.domain = d;
  auto received = ReceivedChange::Decode(testing::Encode(change));
  REQUIRE(received.ok());
  return std::move(received).value();
}

ReceivedChange LinkChange(uint64_t seq, std::string domain, std::string code, std::string url) {
  Link link = MakeLink(std::move(code), std::move(url));
  link.domain = std::move(domain);
  auto received = ReceivedChange::Decode(testing::Encode(Change{seq, ChangeOp::kUpsert, link}));
  REQUIRE(received.ok());
  return std::move(received).value();
}

// What the table says about `host`: its kind and root redirect.
std::pair<HostKind, std::string> Known(const LinkTable& table, std::string_view host) {
  std::pair<HostKind, std::string> out;
  table.Resolve(host, "", [&](const DomainView& d, const LinkView*) {
    out = {d.kind, std::string(d.root_redirect)};
  });
  return out;
}

std::unique_ptr<ReplicaStore> OpenReplica(const std::string& dir) {
  auto store = ReplicaStore::Open(dir);
  REQUIRE(store.ok());
  return std::move(store).value();
}

TEST_CASE("domain sync: a domain change decodes with its record kept verbatim", "[domain]") {
  DomainRecord d = Domain("a.example.com", "https://a.example.com/home");
  ReceivedChange c = DomainChange(9, ChangeOp::kDomainUpsert, d);
  CHECK(c.seq == 9);
  CHECK(c.op == ChangeOp::kDomainUpsert);
  CHECK(c.domain == d);
  std::string record;
  EncodeDomain(d, &record);
  CHECK(c.record == record);
  // A record naming no valid host is refused, as a link's bad domain is.
  Change bad;
  bad.seq = 1;
  bad.op = ChangeOp::kDomainUpsert;
  bad.domain.host = "Not A Host";
  CHECK_FALSE(ReceivedChange::Decode(testing::Encode(bad)).ok());
  // An op no release knows is refused, not guessed at: what a node of the
  // release before domains does with ops 3 and 4 (it then retries the log).
  std::string unknown =
      testing::Encode(Change{1, ChangeOp::kUpsert, MakeLink("x", "https://x.example/")});
  unknown[1] = 5;
  CHECK_FALSE(DecodeChange(unknown).ok());
}

TEST_CASE(
    "domain sync: domain changes apply in seq order to the replica and the table, and "
    "load again at a restart",
    "[domain]") {
  TempDir dir;
  {
    auto store = OpenReplica(dir.path());
    LinkTable table;
    LinkTableSink sink(&table);
    ChangeApplier applier(store.get(), &sink);
    RcuThreadScope rcu;
    std::vector<ReceivedChange> run = {
        DomainChange(1, ChangeOp::kDomainUpsert, Domain("a.example.com", "https://a.example.com/")),
        LinkChange(2, "a.example.com", "go", "https://a.example.com/go"),
        DomainChange(3, ChangeOp::kDomainUpsert, Domain("b.example.com")),
        DomainChange(4, ChangeOp::kDomainDelete, Domain("b.example.com")),
    };
    REQUIRE(applier.ApplyRun(run)->applied == 4);
    CHECK(Known(table, "a.example.com") ==
          std::pair<HostKind, std::string>{HostKind::kCustom, "https://a.example.com/"});
    CHECK(Known(table, "b.example.com").first == HostKind::kUnknown);
    // One at a time, as live messages: a gap is refused, the next applies.
    CHECK(*applier.Apply(DomainChange(6, ChangeOp::kDomainUpsert, Domain("c.example.com"))) ==
          ApplyOutcome::kGap);
    CHECK(Known(table, "c.example.com").first == HostKind::kUnknown);
    CHECK(*applier.Apply(DomainChange(5, ChangeOp::kDomainUpsert,
                                      Domain("a.example.com", "https://a.example.com/v2"))) ==
          ApplyOutcome::kApplied);
    CHECK(Known(table, "a.example.com").second == "https://a.example.com/v2");
  }
  auto store = OpenReplica(dir.path());
  CHECK(store->applied_seq() == 5);
  LinkTable table;
  LinkTableSink sink(&table);
  ChangeApplier applier(store.get(), &sink);
  RcuThreadScope rcu;
  REQUIRE(applier.LoadReplica().ok());
  CHECK(Known(table, "A.example.com:443").second == "https://a.example.com/v2");
  CHECK(Known(table, "b.example.com").first == HostKind::kUnknown);
  std::string url;
  table.Resolve("a.example.com", "go", [&](const DomainView&, const LinkView* link) {
    if (link) url = link->long_url;
  });
  CHECK(url == "https://a.example.com/go");
}

TEST_CASE("domain sync: a snapshot with domains replaces them, an upgrade's keeps them",
          "[domain]") {
  TempDir dir;
  auto store = OpenReplica(dir.path());
  LinkTable table;
  LinkTableSink sink(&table);
  ChangeApplier applier(store.get(), &sink);
  RcuThreadScope rcu;
  std::vector<ReceivedChange> run = {
      DomainChange(1, ChangeOp::kDomainUpsert, Domain("old.example.com")),
      DomainChange(2, ChangeOp::kDomainUpsert, Domain("kept.example.com", "https://k.example/1")),
  };
  REQUIRE(applier.ApplyRun(run)->applied == 2);

  {  // No domains given (a replica layout upgrade does this): they stay.
    auto writer = applier.BeginSnapshot();
    REQUIRE(writer.ok());
    REQUIRE(applier.CommitSnapshot(writer->get(), 2).ok());
  }
  CHECK(Known(table, "old.example.com").first == HostKind::kCustom);

  auto writer = applier.BeginSnapshot();
  REQUIRE(writer.ok());
  (*writer)->ReplaceDomains();
  std::string record;
  EncodeDomain(Domain("kept.example.com", "https://k.example/2"), &record);
  REQUIRE((*writer)->AddDomain(record).ok());
  record.clear();
  EncodeDomain(Domain("new.example.com"), &record);
  REQUIRE((*writer)->AddDomain(record).ok());
  CHECK_FALSE((*writer)
                  ->AddDomain("\x01\x02"
                              "ab")
                  .ok());
  std::string link;
  EncodeLink(MakeLink("go", "https://example.com/go"), &link);
  REQUIRE((*writer)->Add(link).ok());
  CHECK(Known(table, "new.example.com").first == HostKind::kUnknown);  // not before the commit
  REQUIRE(applier.CommitSnapshot(writer->get(), 10).ok());
  writer->reset();

  CHECK(Known(table, "old.example.com").first == HostKind::kUnknown);
  CHECK(Known(table, "kept.example.com").second == "https://k.example/2");
  CHECK(Known(table, "new.example.com").first == HostKind::kCustom);
  std::vector<std::string> held;
  REQUIRE(store->LoadDomains([&](const DomainRecord& d) { held.push_back(d.host); }).ok());
  CHECK(held == std::vector<std::string>{"kept.example.com", "new.example.com"});
  CHECK(applier.applied_seq() == 10);
}

}  // namespace
}  // namespace shortlink::redirector
