// Opening a database written by the release before column families
// (tests/fixtures/release-c93330b, made by that release's own binaries):
// Database::Open upgrades it once, keeps every record usable, survives being
// cut short, and refuses a database newer than the code. A version 2
// database (before packed analytics rows) is recorded as version 3 as is.
#include <rocksdb/db.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "accounts/accounts.h"
#include "common/change.h"
#include "common/click_batch.h"
#include "drop_table.h"
#include "link_test_support.h"
#include "nodes/change_log.h"
#include "store/analytics_keys.h"
#include "store/database.h"
#include "store/db_keys.h"
#include "store/schema.h"
#include "teams/team_routes.h"

namespace shortlink::admin {
namespace {

namespace fs = std::filesystem;

const fs::path kFixture =
    fs::path(__FILE__).parent_path().parent_path() / "fixtures" / "release-c93330b";

// facts.txt: what make_release_db.py knew when it wrote the fixture.
std::map<std::string, std::string> Facts() {
  std::ifstream in(kFixture / "facts.txt");
  REQUIRE(in);
  std::map<std::string, std::string> facts;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find(" = ");
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    facts[line.substr(0, eq)] = line.substr(eq + 3);
  }
  return facts;
}

// A copy of the fixture's data directory in `dir`, as the release left it.
void CopyFixture(const std::string& dir) {
  for (const auto& file : fs::directory_iterator(kFixture))
    if (file.path().filename() != "facts.txt")
      fs::copy_file(file.path(), fs::path(dir) / file.path().filename());
}

using testing::AllChanges;

// The column families on disk, and what the default one and the schema
// version hold, read with RocksDB itself rather than through Database.
struct OnDisk {
  std::vector<std::string> families;
  size_t default_keys = 0;
  std::optional<uint64_t> schema_version;
};
OnDisk Inspect(const std::string& dir) {
  OnDisk out;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &out.families).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : out.families)
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  REQUIRE(
      rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (size_t i = 0; i < handles.size(); ++i) {
    if (out.families[i] == rocksdb::kDefaultColumnFamilyName) {
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) ++out.default_keys;
    }
    if (out.families[i] == TableName(Table::kMeta)) {
      std::string value;
      uint64_t version = 0;
      if (db->Get(rocksdb::ReadOptions(), handles[i], dbkey::kSchemaVersion, &value).ok() &&
          dbkey::ParseNumber(value, &version))
        out.schema_version = version;
    }
  }
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  return out;
}

// Everything make_release_db.py wrote, found and usable in `dir`.
void CheckReleaseData(const std::string& dir) {
  auto facts = Facts();
  testing::ServiceOn served(dir);

  // Links, with their rules and clicks; the deleted one stays deleted.
  CHECK(served.index.size() == 3);
  auto plain = served.index.Get("plain");
  REQUIRE(plain);
  CHECK(plain->long_url == "https://example.com/plain2");
  CHECK(plain->owner == 1);
  CHECK(plain->clicks == 3);
  auto ruled = served.index.Get("ruled");
  REQUIRE(ruled);
  CHECK(ruled->title == "Spring sale");
  CHECK(ruled->tags == std::vector<std::string>{"sale", "spring"});
  CHECK(ruled->rules.expires_at_ms == 1'896'048'000'000);
  CHECK(ruled->rules.expired_url == "https://example.com/over");
  CHECK(ruled->rules.max_clicks == 1000);
  CHECK(ruled->rules.click_limit_url == "https://example.com/full");
  CHECK(ruled->rules.password_hash.rfind("$argon2id$", 0) == 0);
  CHECK(ruled->rules.devices.ios == "https://apps.apple.com/x");
  CHECK(ruled->rules.utm.source == "newsletter");
  CHECK(ruled->rules.redirect_type == 308);
  auto mine = served.index.Get("mine");
  REQUIRE(mine);
  CHECK(mine->owner == std::stoull(facts["member_id"]));
  CHECK_FALSE(served.index.Get("gone"));

  // The change log, served from seq 1.
  auto changes = AllChanges(served.db.get());
  REQUIRE(changes.size() == 6);
  for (size_t i = 0; i < changes.size(); ++i) CHECK(changes[i].seq == i + 1);
  CHECK(changes[1].link.code == "ruled");
  CHECK(changes[4].op == ChangeOp::kDelete);
  CHECK(changes[4].link.code == "gone");
  CHECK(served.service->last_seq() == 6);
  SnapshotReader snapshot(served.db.get());
  CHECK(snapshot.seq() == 6);

  // Click batches already applied stay applied.
  CHECK(served.service->click_watermark(facts["click_node"]) ==
        std::stoull(facts["click_watermark"]));

  // Users and keys: both keys authenticate, the revoked one is still revoked.
  auto accounts = std::move(Accounts::Load(served.db.get())).value();
  auto admin = accounts->Authenticate(facts["admin_key"]);
  REQUIRE(admin);
  CHECK(admin->user.email == "admin@example.com");
  CHECK(admin->user.role == Role::kAdmin);
  auto member = accounts->Authenticate(facts["member_key"]);
  REQUIRE(member);
  CHECK(member->user.id == std::stoull(facts["member_id"]));
  CHECK(accounts->FindUserByEmail("member@example.com"));
  auto keys = accounts->ListKeys(member->user.id);
  REQUIRE(keys.size() == 2);
  CHECK(keys[1].id == std::stoull(facts["revoked_key_id"]));
  CHECK(keys[1].revoked);
  CHECK_FALSE(accounts->Authenticate("live_v1_not-a-key"));

  // Teams (issue 19): every user of the old database gets a personal team,
  // numbered as the user; its old keys act there with every scope; its links
  // (owned by the user's id) are that team's without a rewrite.
  auto teams = std::move(Teams::Load(served.db.get(), accounts->ListUsers())).value();
  for (const User& user : accounts->ListUsers()) {
    auto personal = teams->Get(auth::PersonalTeamOf(user.id));
    REQUIRE(personal);
    CHECK(personal->personal);
    CHECK(teams->RoleOf(personal->number, user.id) == auth::Role::kOwner);
    CHECK(CheckSiteName(personal->site_name).ok());
  }
  CHECK(member->key.team == auth::PersonalTeamOf(member->user.id));
  CHECK(auth::Scopes::FromBits(member->key.scopes) == auth::Scopes::All());
  TeamApi team_api{teams.get(), accounts.get(), Environment::kProduction, {}};
  auto principal = PrincipalOfKey(team_api, facts["member_key"], "");
  REQUIRE(principal);
  CHECK(principal->team == member->user.id);
  CHECK(served.index.HasLinksOf(principal->team));
  // A second start finds them: no new team, the same UUIDs.
  std::string uuid = teams->Get(member->user.id)->uuid;
  auto again = std::move(Teams::Load(served.db.get(), accounts->ListUsers())).value();
  CHECK(again->Get(member->user.id)->uuid == uuid);
}

}  // namespace

TEST_CASE("a database of release c93330b opens with everything in it", "[store]") {
  testing::TempDir dir;
  CopyFixture(dir.path());
  OnDisk before = Inspect(dir.path());
  CHECK(before.families == std::vector<std::string>{rocksdb::kDefaultColumnFamilyName});
  CHECK(before.default_keys > 0);

  CheckReleaseData(dir.path());

  OnDisk after = Inspect(dir.path());
  CHECK(after.families.size() == kTableCount + 1);
  CHECK(after.default_keys == 0);  // the old records are gone once copied
  CHECK(after.schema_version == kSchemaVersion);
}

TEST_CASE("after the upgrade, counters go on and a second open changes nothing", "[store]") {
  testing::TempDir dir;
  CopyFixture(dir.path());
  {
    testing::ServiceOn served(dir.path());
    // Seqs and ids continue from the release's counters.
    auto created = served.One(CreateLink{1, "https://example.com/new", "fresh"});
    REQUIRE(created.status.ok());
    CHECK(served.service->last_seq() == 7);
    REQUIRE(served.One(DeleteLink{1, "plain"}).status.ok());
    auto accounts = std::move(Accounts::Load(served.db.get())).value();
    CHECK(accounts->CreateUser("third@example.com", Role::kMember).value().id == 3);
    CHECK(accounts->CreateKey(3, Environment::kProduction).value().info.id == 4);
  }
  // Were the old records upgraded again, "plain" would be back and the
  // counters behind.
  testing::ServiceOn again(dir.path());
  CHECK_FALSE(again.index.Get("plain"));
  CHECK(again.index.Get("fresh"));
  CHECK(again.index.Get("ruled"));
  CHECK(again.service->last_seq() == 8);
  CHECK(AllChanges(again.db.get()).size() == 8);
  auto accounts = std::move(Accounts::Load(again.db.get())).value();
  CHECK(accounts->CreateUser("fourth@example.com", Role::kMember).value().id == 4);
  CHECK(Inspect(dir.path()).schema_version == kSchemaVersion);
}

// The process that dies mid-upgrade: this binary again, run by the test
// below with the directory in its environment (a fresh process rather than
// a fork, whose RocksDB thread pool would be missing its threads).
constexpr char kChildDirVariable[] = "SHORTLINK_UPGRADE_CHILD_DIR";
constexpr int kDiedMidUpgrade = 42;

TEST_CASE("upgrade child: dies after 5 records are durably copied", "[.upgrade-child]") {
  const char* dir = std::getenv(kChildDirVariable);
  if (!dir) return;  // only ever run by the test below
  UpgradeOptions upgrade;
  upgrade.batch_bytes = 1;  // a synced batch per record
  upgrade.after_batch = [](uint64_t copied) {
    if (copied == 5) _exit(kDiedMidUpgrade);  // no destructor, no RocksDB Close: as kill -9
  };
  auto db = Database::Open(dir, Database::Use::kServing, upgrade);
  _exit(db.ok() ? 0 : 1);
}

TEST_CASE("an upgrade killed half way is done again, whole, by the next open", "[store]") {
  testing::TempDir dir;
  CopyFixture(dir.path());
  size_t release_records = Inspect(dir.path()).default_keys;

  std::string variable = std::string(kChildDirVariable) + "=" + dir.path();
  char* env[] = {variable.data(), nullptr};
  char self[] = "/proc/self/exe", spec[] = "[.upgrade-child]";
  char* argv[] = {self, spec, nullptr};
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    execve(self, argv, env);
    _exit(127);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == kDiedMidUpgrade);  // it stopped inside the upgrade

  // Not happened: no version, every old record in place.
  OnDisk cut = Inspect(dir.path());
  CHECK_FALSE(cut.schema_version);
  CHECK(cut.default_keys == release_records);
  CHECK(release_records > 5);

  CheckReleaseData(dir.path());
  CHECK(Inspect(dir.path()).schema_version == kSchemaVersion);
}

TEST_CASE("a database of a newer schema is refused, unchanged", "[store]") {
  testing::TempDir dir;
  REQUIRE(Database::Open(dir.path()).ok());  // a new database: the current version
  CHECK(Inspect(dir.path()).schema_version == kSchemaVersion);
  {
    // What a later release would leave: a newer version, a table we do not know.
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.path(), &names).ok());
    for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.path(), descriptors, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* later = nullptr;
    REQUIRE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "a_later_table", &later).ok());
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == TableName(Table::kMeta))
        REQUIRE(db->Put(rocksdb::WriteOptions(), handles[i], dbkey::kSchemaVersion,
                        dbkey::Number(kSchemaVersion + 1))
                    .ok());
    handles.push_back(later);
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  }
  auto refused = Database::Open(dir.path());
  REQUIRE_FALSE(refused.ok());
  INFO(refused.error().message);
  CHECK(refused.error().message.find("schema version " + std::to_string(kSchemaVersion + 1)) !=
        std::string::npos);
  CHECK(refused.error().message.find("newer release") != std::string::npos);
  CHECK(Inspect(dir.path()).schema_version == kSchemaVersion + 1);
}

TEST_CASE("a version 2 database opens as version 3 and keeps its per-value analytics rows",
          "[store]") {
  testing::TempDir dir;
  REQUIRE(Database::Open(dir.path()).ok());
  // As the release before packed analytics rows left it: version 2, a
  // click analytics row per (link, hour, dimension, value).
  namespace ak = analytics_key;
  const std::string row = ak::Row(ak::kHourly, dbkey::Link("", "a"), 500000, kClickCountry, "SG");
  testing::PutRaw(dir.path(), Table::kMeta, dbkey::kSchemaVersion, dbkey::Number(2));
  testing::PutRaw(dir.path(), Table::kAnalytics, row, ak::Count(7));
  REQUIRE(Inspect(dir.path()).schema_version == 2u);
  {
    auto db = Database::Open(dir.path());
    REQUIRE(db.ok());
    auto got = (*db)->Get(Table::kAnalytics, row);
    REQUIRE(got.ok());
    REQUIRE(got->has_value());
    CHECK(ak::ParseCount(**got) == 7);
  }
  // Recorded, so a release before packed rows refuses the database.
  CHECK(Inspect(dir.path()).schema_version == 3u);
  CHECK(kSchemaVersion == 3u);
}

}  // namespace shortlink::admin
