#include "table/table_digest.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <thread>
#include <vector>

#include "sync/change_applier.h"
#include "sync_test_support.h"
#include "table/link_table_sink.h"

namespace shortlink::redirector {
namespace {

using testing::MakeLink;
using testing::Received;
using testing::TempDir;

LinkDigest DigestOf(const std::vector<Link>& links) {
  LinkDigest digest;
  for (const Link& link : links) digest.Add(link);
  return digest;
}

Link On(std::string domain, std::string code, std::string url,
        LinkState state = LinkState::kActive) {
  Link link = MakeLink(code, url, state);
  link.domain = std::move(domain);
  return link;
}

void Put(LinkTable& table, const Link& link) {
  if (link.rules.empty())
    REQUIRE(table.Upsert(KeyOf(link), link.long_url, link.state));
  else
    REQUIRE(
        table.Upsert(KeyOf(link), link.long_url, link.state, std::make_unique<EdgeRules>(link)));
}

TEST_CASE("a table's digest is the digest of the links it holds, as admin-api computes it",
          "[table_digest]") {
  RcuThreadScope rcu;
  LinkTable table;
  CHECK(DigestOfTable(table) == LinkDigest{});
  Link plain = On("", "a", "https://a.example/");
  Link inactive = On("", "b", "https://b.example/", LinkState::kInactive);
  Link custom = On("go.example.com", "a", "https://custom.example/");
  Link other_domain = On("links.example.org", "z", "https://z.example/");
  Link ruled = On("go.example.com", "r", "https://r.example/");
  ruled.rules.max_clicks = 10;
  ruled.rules.ab_targets = {{"https://r1.example/", 50}, {"https://r2.example/", 50}};
  for (const Link& link : {plain, inactive, custom, other_domain, ruled}) Put(table, link);
  CHECK(DigestOfTable(table) == DigestOf({plain, inactive, custom, other_domain, ruled}));

  // Changes show, and undoing them brings the digest back.
  Link moved = custom;
  moved.long_url = "https://moved.example/";
  Put(table, moved);
  CHECK(DigestOfTable(table) == DigestOf({plain, inactive, moved, other_domain, ruled}));
  CHECK(DigestOfTable(table) != DigestOf({plain, inactive, custom, other_domain, ruled}));
  REQUIRE(table.Erase(KeyOf(other_domain)));
  CHECK(DigestOfTable(table) == DigestOf({plain, inactive, moved, ruled}));
  Put(table, custom);
  Put(table, other_domain);
  CHECK(DigestOfTable(table) == DigestOf({plain, inactive, custom, other_domain, ruled}));
}

TEST_CASE("a table's digest survives growth of the table", "[table_digest]") {
  RcuThreadScope rcu;
  LinkTable table;
  std::vector<Link> links;
  for (int i = 0; i < 5000; ++i) {
    links.push_back(On(i % 3 ? "" : "d" + std::to_string(i % 7) + ".example",
                       "c" + std::to_string(i), "https://example.com/" + std::to_string(i)));
    Put(table, links.back());
  }
  CHECK(DigestOfTable(table) == DigestOf(links));
  CHECK(DigestOfTable(table).links == table.size());
}

// The node's digest while its applier runs: every digest read through
// ReadAtAppliedSeq must be exactly the links as of the seq it reports,
// never a table half a change behind or ahead of it.
TEST_CASE("a digest read at the applied seq matches that seq while changes apply",
          "[table_digest][concurrent]") {
  constexpr uint64_t kChanges = 1500;
  constexpr int kCodes = 200;
  // The changes, and the digest a model of the links has after each.
  std::vector<ReceivedChange> changes;
  std::vector<LinkDigest> expected(kChanges + 1);
  std::map<std::pair<std::string, std::string>, Link> model;
  for (int i = 0; i < kCodes; ++i) {  // a table of some size first: walks take a while
    Link link = On(i % 4 ? "" : "go.example.com", "base" + std::to_string(i),
                   "https://example.com/base/" + std::to_string(i));
    changes.push_back(Received(changes.size() + 1, ChangeOp::kUpsert, link));
    model[{link.domain, link.code}] = link;
    expected[changes.size()] = {};
    for (const auto& [key, l] : model) expected[changes.size()].Add(l);
  }
  while (changes.size() < kChanges) {
    uint64_t seq = changes.size() + 1;
    std::string code = "c" + std::to_string(seq % 37);
    std::string domain = seq % 5 ? "" : "go.example.com";
    auto it = model.find({domain, code});
    if (seq % 3 == 0 && it != model.end()) {
      changes.push_back(Received(seq, ChangeOp::kDelete, it->second));
      model.erase(it);
    } else {
      Link link = On(domain, code, "https://example.com/" + std::to_string(seq),
                     seq % 2 ? LinkState::kActive : LinkState::kInactive);
      changes.push_back(Received(seq, ChangeOp::kUpsert, link));
      model[{domain, code}] = link;
    }
    for (const auto& [key, l] : model) expected[seq].Add(l);
  }

  TempDir dir;
  auto store = ReplicaStore::Open(dir.path());
  REQUIRE(store.ok());
  LinkTable table;
  LinkTableSink sink(&table);
  ChangeApplier applier(store->get(), &sink);
  std::atomic<bool> done{false};
  std::atomic<int> reads_seen{0};
  std::thread writer([&] {
    RcuThreadScope rcu;
    for (size_t i = 0; i < changes.size(); ++i) {
      // Every 100 changes, wait for a read to end: reads overlap the whole
      // run however fast either side is (a TSan build made the writer
      // finish after 10 reads).
      if (i % 100 == 0) {
        int seen = reads_seen.load();
        while (reads_seen.load() == seen) std::this_thread::yield();
      }
      auto outcome = applier.Apply(changes[i]);
      if (!outcome.ok() || *outcome != ApplyOutcome::kApplied) break;
    }
    done = true;
  });
  RcuThreadScope rcu;
  int reads = 0, wrong = 0, locked = 0;
  uint64_t last_seq = 0;
  while (!done.load()) {
    uint64_t seq = 0;
    LinkDigest digest;
    auto outcome = applier.ReadAtAppliedSeq([&](uint64_t applied) {
      seq = applied;
      digest = DigestOfTable(table);
    });
    ++reads;
    if (outcome == ChangeGate::ReadOutcome::kLocked) ++locked;
    if (seq > kChanges || !(digest == expected[seq])) ++wrong;
    if (seq < last_seq) ++wrong;  // the seq never goes back
    last_seq = seq;
    reads_seen.fetch_add(1);
  }
  writer.join();
  INFO("reads " << reads << ", locked " << locked);
  CHECK(applier.applied_seq() == kChanges);
  CHECK(wrong == 0);
  CHECK(reads > 10);
  CHECK(DigestOfTable(table) == expected[kChanges]);
}

}  // namespace
}  // namespace shortlink::redirector
