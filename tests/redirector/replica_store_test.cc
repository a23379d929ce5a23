#include "sync/replica_store.h"

#include <rocksdb/db.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "common/wire.h"
#include "sync_test_support.h"

namespace shortlink::redirector {
namespace {

using testing::MakeLink;
using testing::TempDir;

ReceivedChange Upsert(uint64_t seq, const Link& link) {
  auto change = ReceivedChange::Decode(testing::Encode(Change{seq, ChangeOp::kUpsert, link}));
  REQUIRE(change.ok());
  return std::move(change).value();
}

ReceivedChange Delete(uint64_t seq, const std::string& code, const std::string& domain = "") {
  Link link = MakeLink(code, "https://gone.example");
  link.domain = domain;
  auto change = ReceivedChange::Decode(testing::Encode(Change{seq, ChangeOp::kDelete, link}));
  REQUIRE(change.ok());
  return std::move(change).value();
}

Link OnDomain(const std::string& domain, const std::string& code, const std::string& url) {
  Link link = MakeLink(code, url);
  link.domain = domain;
  return link;
}

// A copy of a fixture directory (tests/fixtures/NAME) in `dir`: opening a
// replica changes it.
void CopyFixture(const std::string& name, const std::string& dir) {
  std::filesystem::path from =
      std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures" / name;
  REQUIRE(std::filesystem::is_directory(from));
  std::filesystem::copy(from, dir, std::filesystem::copy_options::recursive);
}

// Every link LoadAll visits, as the whole record Get returns for its key,
// by "code" on the default domain and "domain/code" on others.
std::map<std::string, Link> LoadMap(ReplicaStore* store) {
  std::map<std::string, Link> out;
  auto stats = store->LoadAll([&](const ServedLink& served) {
    auto link = store->Get(LinkKey{served.domain, served.code});
    REQUIRE(link.ok());
    CHECK(link->long_url == served.long_url);
    CHECK(link->state == served.state);
    CHECK(link->domain == served.domain);
    out[testing::MapSink::Name(KeyOf(*link))] = *link;
  });
  REQUIRE(stats.ok());
  REQUIRE(stats->corrupt == 0);
  return out;
}

std::string EncodeLinkRecord(const Link& link) {
  std::string out;
  EncodeLink(link, &out);
  return out;
}

// Runs this test binary again as a child that executes the hidden helper
// test below, which dies with _exit (no destructors, no DB close): a crash
// as far as RocksDB can tell.
void RunCrashHelper(const std::string& dir, const std::string& mode) {
  std::vector<std::string> env_storage = {"SHORTLINK_CRASH_DIR=" + dir,
                                          "SHORTLINK_CRASH_MODE=" + mode};
  std::vector<char*> env;
  for (auto& e : env_storage) env.push_back(e.data());
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  env.push_back(nullptr);
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  REQUIRE(n > 0);
  exe[n] = '\0';
  pid_t pid = testing::Spawn({exe, "[replica_crash_helper]"}, env.data());
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 42);
}

std::vector<std::string> FamilyNames(const std::string& dir) {
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  return names;
}

// The replica's RocksDB opened past ReplicaStore, every column family with
// it: to write what ReplicaStore never would (crash leftovers, corrupt
// records, a newer schema) or to read its raw keys.
class RawReplica {
 public:
  enum class Access { kReadWrite, kReadOnly };

  explicit RawReplica(const std::string& dir, Access access = Access::kReadWrite) {
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& name : FamilyNames(dir))
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::Status opened =
        access == Access::kReadOnly
            ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, descriptors, &handles, &db)
            : rocksdb::DB::Open(rocksdb::DBOptions(), dir, descriptors, &handles, &db);
    REQUIRE(opened.ok());
  }
  ~RawReplica() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  RawReplica(const RawReplica&) = delete;
  RawReplica& operator=(const RawReplica&) = delete;

  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // destroyed with it
};

// A replica in `dir` that applied `changes`, closed again: a node that stopped.
void Seed(const std::string& dir, const std::vector<ReceivedChange>& changes) {
  auto store = ReplicaStore::Open(dir);
  REQUIRE(store.ok());
  REQUIRE((*store)->Apply(changes).ok());
}

}  // namespace

TEST_CASE("replica crash helper", "[.][replica_crash_helper]") {
  const char* dir = std::getenv("SHORTLINK_CRASH_DIR");
  const char* mode = std::getenv("SHORTLINK_CRASH_MODE");
  REQUIRE(dir != nullptr);
  REQUIRE(mode != nullptr);
  ReplicaOptions options;
  options.snapshot_batch_bytes = 1024;  // so that batches reach RocksDB before the crash
  auto store = ReplicaStore::Open(dir, options);
  REQUIRE(store.ok());
  if (std::string(mode) == "mid-snapshot") {
    auto writer = (*store)->BeginSnapshot();
    REQUIRE(writer.ok());
    for (int i = 0; i < 500; ++i) {
      REQUIRE(
          (*writer)
              ->Add(EncodeLinkRecord(MakeLink("snap" + std::to_string(i), "https://snap.example/")))
              .ok());
    }
  } else if (std::string(mode) == "apply") {
    std::vector<ReceivedChange> changes = {Upsert(4, MakeLink("d", "https://d.example/")),
                                           Delete(5, "a")};
    REQUIRE((*store)->Apply(changes).ok());
    REQUIRE((*store)
                ->Apply(std::vector<ReceivedChange>{Upsert(6, MakeLink("e", "https://e.example/"))})
                .ok());
  }
  std::fflush(nullptr);
  _exit(42);
}

TEST_CASE("a new replica is empty and not initialized", "[replica]") {
  TempDir dir;
  auto store = ReplicaStore::Open(dir.path());
  REQUIRE(store.ok());
  CHECK_FALSE((*store)->initialized());
  CHECK((*store)->applied_seq() == 0);
  CHECK(LoadMap(store->get()).empty());
}

TEST_CASE("applied changes and the seq survive a reopen", "[replica]") {
  TempDir dir;
  Link a = MakeLink("a", "https://a.example/");
  Link b = MakeLink("b", "https://b.example/", LinkState::kInactive);
  {
    auto store = ReplicaStore::Open(dir.path());
    REQUIRE(store.ok());
    std::vector<ReceivedChange> run = {Upsert(1, a), Upsert(2, b),
                                       Upsert(3, MakeLink("c", "https://c.example/"))};
    REQUIRE((*store)->Apply(run).ok());
    REQUIRE((*store)->Apply(std::vector<ReceivedChange>{Delete(4, "c")}).ok());
    CHECK((*store)->initialized());
    CHECK((*store)->applied_seq() == 4);
  }
  auto store = ReplicaStore::Open(dir.path());
  REQUIRE(store.ok());
  CHECK((*store)->initialized());
  CHECK((*store)->applied_seq() == 4);
  auto links = LoadMap(store->get());
  REQUIRE(links.size() == 2);
  CHECK(links["a"] == a);
  CHECK(links["b"] == b);
  CHECK((*store)->Get("c").error().code == ErrorCode::kNotFound);
}

TEST_CASE("records are kept verbatim, fields this build does not know included", "[replica]") {
  TempDir dir;
  std::string record = EncodeLinkRecord(MakeLink("x", "https://x.example/"));
  record += std::string(
      "\x63\x03"
      "abc",
      5);  // tag 99, 3 bytes: a field from a newer admin-api
  std::string change;
  wire::PutVarint(1, &change);
  change.push_back(static_cast<char>(ChangeOp::kUpsert));
  change += record;
  auto received = ReceivedChange::Decode(change);
  REQUIRE(received.ok());
  CHECK(received->record == record);
  auto store = ReplicaStore::Open(dir.path());
  REQUIRE(store.ok());
  REQUIRE((*store)->Apply(std::span<const ReceivedChange>(&*received, 1)).ok());
  CHECK((*store)->Get("x")->long_url == "https://x.example/");
}

TEST_CASE("a snapshot replaces every link and reports the differences", "[replica]") {
  TempDir dir;
  auto store = ReplicaStore::Open(dir.path(), ReplicaOptions{.snapshot_batch_bytes = 100});
  REQUIRE(store.ok());
  std::vector<ReceivedChange> run = {Upsert(1, MakeLink("keep", "https://keep.example/")),
                                     Upsert(2, MakeLink("change", "https://old.example/")),
                                     Upsert(3, MakeLink("drop", "https://drop.example/"))};
  REQUIRE((*store)->Apply(run).ok());

  auto writer = (*store)->BeginSnapshot();
  REQUIRE(writer.ok());
  CHECK((*store)->BeginSnapshot().error().code == ErrorCode::kInternal);  // one at a time
  REQUIRE((*writer)->Add(EncodeLinkRecord(MakeLink("keep", "https://keep.example/"))).ok());
  REQUIRE(
      (*writer)
          ->Add(EncodeLinkRecord(MakeLink("change", "https://new.example/", LinkState::kInactive)))
          .ok());
  REQUIRE((*writer)->Add(EncodeLinkRecord(MakeLink("new", "https://new.example/"))).ok());
  CHECK_FALSE((*writer)->Add("garbage").ok());
  // Until the commit, the replica is the old state.
  CHECK((*store)->Get("drop").ok());
  CHECK((*store)->applied_seq() == 3);

  std::map<std::string, std::string> diff;  // code -> new URL, or "" when gone
  REQUIRE((*writer)
              ->Commit(10,
                       [&](LinkKey key, const Link* now) {
                         diff[std::string(key.code)] = now ? now->long_url : "";
                       })
              .ok());
  writer->reset();
  CHECK(diff == std::map<std::string, std::string>{{"change", "https://new.example/"},
                                                   {"drop", ""},
                                                   {"new", "https://new.example/"}});
  CHECK((*store)->applied_seq() == 10);
  auto links = LoadMap(store->get());
  CHECK(links.size() == 3);
  CHECK(links["change"].state == LinkState::kInactive);
  CHECK(links.count("drop") == 0);

  // Changes go on after the snapshot, into the new family.
  REQUIRE(
      (*store)
          ->Apply(std::vector<ReceivedChange>{Upsert(11, MakeLink("later", "https://l.example/"))})
          .ok());
  store->reset();
  auto reopened = ReplicaStore::Open(dir.path());
  REQUIRE(reopened.ok());
  CHECK((*reopened)->applied_seq() == 11);
  CHECK(LoadMap(reopened->get()).size() == 4);
  CHECK(FamilyNames(dir.path()).size() == 2);  // default + the live links; the old one is gone
}

TEST_CASE("an abandoned snapshot leaves the replica as it was", "[replica]") {
  TempDir dir;
  auto store = ReplicaStore::Open(dir.path());
  REQUIRE(store.ok());
  REQUIRE((*store)
              ->Apply(std::vector<ReceivedChange>{Upsert(1, MakeLink("a", "https://a.example/"))})
              .ok());
  {
    auto writer = (*store)->BeginSnapshot();
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Add(EncodeLinkRecord(MakeLink("b", "https://b.example/"))).ok());
  }
  CHECK((*store)->applied_seq() == 1);
  CHECK(LoadMap(store->get()).size() == 1);
  CHECK((*store)->BeginSnapshot().ok());  // and a new one may start
}

TEST_CASE("a crash mid-snapshot keeps the old consistent state", "[replica]") {
  TempDir dir;
  Seed(dir.path(), {Upsert(1, MakeLink("a", "https://a.example/")),
                    Upsert(2, MakeLink("b", "https://b.example/"))});
  RunCrashHelper(dir.path(), "mid-snapshot");

  auto store = ReplicaStore::Open(dir.path());
  REQUIRE(store.ok());
  CHECK((*store)->applied_seq() == 2);
  auto links = LoadMap(store->get());
  CHECK(links.size() == 2);
  CHECK(links.count("a") == 1);
  store->reset();
  CHECK(FamilyNames(dir.path()).size() == 2);  // dropped on open
}

TEST_CASE("links families other than the live one are dropped on open", "[replica]") {
  TempDir dir;
  Seed(dir.path(), {Upsert(1, MakeLink("a", "https://a.example/"))});
  {
    // What a crash between a snapshot's switch and its drop leaves behind,
    // or a snapshot whose family RocksDB recorded before the crash.
    RawReplica raw(dir.path());
    rocksdb::ColumnFamilyHandle* extra = nullptr;
    REQUIRE(raw.db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "links.7", &extra).ok());
    raw.handles.push_back(extra);
    REQUIRE(raw.db
                ->Put(rocksdb::WriteOptions(), extra, "b",
                      EncodeLinkRecord(MakeLink("b", "https://b.example/")))
                .ok());
  }
  CHECK(FamilyNames(dir.path()).size() == 3);
  {
    auto store = ReplicaStore::Open(dir.path());
    REQUIRE(store.ok());
    auto links = LoadMap(store->get());
    CHECK(links.size() == 1);
    CHECK(links.count("a") == 1);
    // A new snapshot takes a generation above every one seen.
    auto writer = (*store)->BeginSnapshot();
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Commit(5, [](LinkKey, const Link*) {}).ok());
  }
  auto names = FamilyNames(dir.path());
  CHECK(names == std::vector<std::string>{"default", "links.8"});
}

TEST_CASE("a crash mid-snapshot of a new replica leaves it new", "[replica]") {
  TempDir dir;
  RunCrashHelper(dir.path(), "mid-snapshot");
  auto store = ReplicaStore::Open(dir.path());
  REQUIRE(store.ok());
  CHECK_FALSE((*store)->initialized());  // the node will take a snapshot again
  CHECK(LoadMap(store->get()).empty());
}

TEST_CASE("applied changes survive a process crash without fsync", "[replica]") {
  TempDir dir;
  Seed(dir.path(), {Upsert(1, MakeLink("a", "https://a.example/")),
                    Upsert(2, MakeLink("b", "https://b.example/")),
                    Upsert(3, MakeLink("c", "https://c.example/"))});
  RunCrashHelper(dir.path(), "apply");
  auto store = ReplicaStore::Open(dir.path());
  REQUIRE(store.ok());
  CHECK((*store)->applied_seq() == 6);
  auto links = LoadMap(store->get());
  CHECK(links.size() == 4);  // b c d e
  CHECK(links.count("a") == 0);
  CHECK(links.count("e") == 1);
}

TEST_CASE("corrupt records are skipped and counted", "[replica]") {
  TempDir dir;
  Seed(dir.path(), {Upsert(1, MakeLink("a", "https://a.example/"))});
  {
    // Write a bad record straight into the live family.
    RawReplica raw(dir.path());
    for (auto* h : raw.handles) {
      if (h->GetName().starts_with("links."))
        REQUIRE(raw.db->Put(rocksdb::WriteOptions(), h, "zz", "\x01\x05").ok());
    }
  }
  auto store = ReplicaStore::Open(dir.path());
  REQUIRE(store.ok());
  size_t seen = 0;
  auto stats = (*store)->LoadAll([&](const ServedLink&) { ++seen; });
  REQUIRE(stats.ok());
  CHECK(stats->links == 1);
  CHECK(stats->corrupt == 1);
  CHECK(seen == 1);
}

TEST_CASE("a snapshot in code order is written as SST files and ingested, stragglers still land",
          "[replica]") {
  TempDir dir;
  ReplicaOptions options;
  options.snapshot_file_bytes = 4096;  // many small files
  auto store = ReplicaStore::Open(dir.path(), options);
  REQUIRE(store.ok());
  auto tmp_files = [&] {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
      n += e.path().string().ends_with(".sst.tmp");
    return n;
  };
  {
    auto abandoned = (*store)->BeginSnapshot();
    REQUIRE(abandoned.ok());
    for (int i = 0; i < 500; ++i) {
      char code[16];
      snprintf(code, sizeof code, "c%05d", i);
      REQUIRE((*abandoned)->Add(EncodeLinkRecord(MakeLink(code, "https://x.example/"))).ok());
    }
    CHECK(tmp_files() > 1);
  }
  CHECK(tmp_files() == 0);  // an abandoned snapshot leaves no file behind

  auto writer = (*store)->BeginSnapshot();
  REQUIRE(writer.ok());
  for (int i = 0; i < 2000; ++i) {
    char code[16];
    snprintf(code, sizeof code, "c%05d", i);
    REQUIRE((*writer)
                ->Add(EncodeLinkRecord(MakeLink(code, "https://x.example/" + std::string(code))))
                .ok());
  }
  REQUIRE((*writer)->Add(EncodeLinkRecord(MakeLink("a-late", "https://late.example/"))).ok());
  REQUIRE((*writer)->Add(EncodeLinkRecord(MakeLink("zz", "https://zz.example/"))).ok());
  REQUIRE((*writer)->Commit(7, [](LinkKey, const Link*) {}).ok());
  writer->reset();
  CHECK(tmp_files() == 0);
  store->reset();
  auto reopened = ReplicaStore::Open(dir.path());
  REQUIRE(reopened.ok());
  CHECK((*reopened)->applied_seq() == 7);
  auto links = LoadMap(reopened->get());
  CHECK(links.size() == 2002);
  CHECK(links["c01234"].long_url == "https://x.example/c01234");
  CHECK(links["a-late"].long_url == "https://late.example/");
  CHECK(links["zz"].long_url == "https://zz.example/");
}

// --- domains ------------------------------------------------------------------

namespace {

// The raw keys of the live links family, read past ReplicaStore.
std::vector<std::string> RawLinkKeys(const std::string& dir) {
  RawReplica raw(dir, RawReplica::Access::kReadOnly);
  std::string live;
  REQUIRE(raw.db->Get(rocksdb::ReadOptions(), "links_cf", &live).ok());
  std::vector<std::string> keys;
  for (auto* h : raw.handles) {
    if (h->GetName() == live) {
      std::unique_ptr<rocksdb::Iterator> it(raw.db->NewIterator(rocksdb::ReadOptions(), h));
      for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
    }
  }
  return keys;
}

}  // namespace

TEST_CASE("one code on two domains: two links, applied and deleted by (domain, code)",
          "[replica][domain]") {
  TempDir dir;
  {
    auto store = ReplicaStore::Open(dir.path());
    REQUIRE(store.ok());
    std::vector<ReceivedChange> run = {Upsert(1, MakeLink("x", "https://default.example/")),
                                       Upsert(2, OnDomain("a.example", "x", "https://a.example/")),
                                       Upsert(3, OnDomain("b.example", "x", "https://b.example/")),
                                       Delete(4, "x", "b.example")};
    REQUIRE((*store)->Apply(run).ok());
    CHECK((*store)->Get("x")->long_url == "https://default.example/");
    CHECK((*store)->Get(LinkKey{"a.example", "x"})->long_url == "https://a.example/");
    CHECK((*store)->Get(LinkKey{"b.example", "x"}).error().code == ErrorCode::kNotFound);
  }
  // Keyed as admin-api keys links: default domain first, then by domain.
  CHECK(RawLinkKeys(dir.path()) ==
        std::vector<std::string>{EncodeLinkKey({"", "x"}), EncodeLinkKey({"a.example", "x"})});
  auto store = ReplicaStore::Open(dir.path());
  REQUIRE(store.ok());
  auto links = LoadMap(store->get());
  CHECK(links.size() == 2);
  CHECK(links["x"].long_url == "https://default.example/");
  CHECK(links["a.example/x"].long_url == "https://a.example/");
  CHECK(links["a.example/x"].domain == "a.example");
}

TEST_CASE("a snapshot of several domains takes the SST path and reports (domain, code)",
          "[replica][domain]") {
  TempDir dir;
  auto store = ReplicaStore::Open(dir.path());
  REQUIRE(store.ok());
  REQUIRE((*store)
              ->Apply(std::vector<ReceivedChange>{
                  Upsert(1, OnDomain("a.example", "gone", "https://a.example/gone")),
                  Upsert(2, MakeLink("gone", "https://default.example/gone"))})
              .ok());
  auto writer = (*store)->BeginSnapshot();
  REQUIRE(writer.ok());
  // In admin-api's key order: the default domain, then each domain.
  for (const Link& link : {MakeLink("gone", "https://default.example/gone"),
                           MakeLink("new", "https://default.example/new"),
                           OnDomain("a.example", "new", "https://a.example/new"),
                           OnDomain("b.example", "gone", "https://b.example/gone")})
    REQUIRE((*writer)->Add(EncodeLinkRecord(link)).ok());
  std::map<std::string, std::string> diff;
  REQUIRE((*writer)
              ->Commit(9,
                       [&](LinkKey key, const Link* now) {
                         diff[testing::MapSink::Name(key)] = now ? now->long_url : "";
                       })
              .ok());
  CHECK(diff == std::map<std::string, std::string>{{"a.example/gone", ""},
                                                   {"a.example/new", "https://a.example/new"},
                                                   {"b.example/gone", "https://b.example/gone"},
                                                   {"new", "https://default.example/new"}});
  CHECK(LoadMap(store->get()).size() == 4);
}

TEST_CASE("a replica written by the release before domains is upgraded on open, every link kept",
          "[replica][domain]") {
  // tests/fixtures/replica-c93330b: a node's --data-dir written by that
  // release's own redirector (make_release_replica.py): a first snapshot of
  // 103 links, then live changes up to seq 107; keys are bare codes.
  TempDir dir;
  CopyFixture("replica-c93330b", dir.path() + "/node");
  const std::string node = dir.path() + "/node";
  std::vector<std::string> old_keys = RawLinkKeys(node);
  REQUIRE(old_keys.size() == 103);
  CHECK(std::find(old_keys.begin(), old_keys.end(), "plain") != old_keys.end());

  {
    auto store = ReplicaStore::Open(node);
    REQUIRE(store.ok());
    CHECK((*store)->initialized());
    CHECK((*store)->applied_seq() == 107);
    auto links = LoadMap(store->get());
    CHECK(links.size() == 103);
    CHECK(links["plain"].long_url == "https://example.com/plain2");  // a live change
    CHECK(links["live"].long_url == "https://example.com/live");
    CHECK(links.count("gone") == 0);
    CHECK(links["bulk-007"].state == LinkState::kInactive);
    CHECK(links["bulk-099"].long_url == "https://example.com/bulk/99");
    CHECK(links["ruled"].rules.max_clicks == 1000);  // the record as it was, rules and all
    CHECK(links["ruled"].rules.redirect_type == 308);
    for (const auto& [name, link] : links) CHECK(link.domain.empty());

    // Live changes go on in the new layout.
    REQUIRE((*store)
                ->Apply(std::vector<ReceivedChange>{
                    Upsert(108, OnDomain("a.example", "plain", "https://a.example/")),
                    Delete(109, "live")})
                .ok());
  }
  std::vector<std::string> keys = RawLinkKeys(node);
  CHECK(keys.size() == 103);
  for (const std::string& key : keys) {
    LinkKey parsed;
    CHECK(DecodeLinkKey(key, &parsed));
  }
  CHECK(std::find(keys.begin(), keys.end(), EncodeLinkKey({"", "plain"})) != keys.end());
  CHECK(std::find(keys.begin(), keys.end(), EncodeLinkKey({"a.example", "plain"})) != keys.end());

  // Opened again: already upgraded, nothing rewritten, nothing lost.
  auto names = FamilyNames(node);
  auto store = ReplicaStore::Open(node);
  REQUIRE(store.ok());
  CHECK(FamilyNames(node) == names);
  CHECK((*store)->applied_seq() == 109);
  auto links = LoadMap(store->get());
  CHECK(links.size() == 103);
  CHECK(links["plain"].long_url == "https://example.com/plain2");
  CHECK(links["a.example/plain"].long_url == "https://a.example/");
}

TEST_CASE("a replica of a newer schema is refused, not misread", "[replica][domain]") {
  TempDir dir;
  {
    auto store = ReplicaStore::Open(dir.path());
    REQUIRE(store.ok());
  }
  {
    RawReplica raw(dir.path());
    std::string schema;
    REQUIRE(raw.db->Get(rocksdb::ReadOptions(), "schema", &schema).ok());
    CHECK(schema == "2");
    REQUIRE(raw.db->Put(rocksdb::WriteOptions(), "schema", "3").ok());
  }
  auto store = ReplicaStore::Open(dir.path());
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().message.find("schema 3") != std::string::npos);
}

}  // namespace shortlink::redirector
