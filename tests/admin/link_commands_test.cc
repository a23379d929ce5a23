// The link commands and queries (links/link_commands.h, link_queries.h) as
// the handlers, the importer and the fuzzers call them: each validates its
// input, asks the access check, and goes through a real LinkService over a
// temporary RocksDB. A link of another user is answered exactly as a link
// that does not exist, and is left as it was.
#include "links/link_commands.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "auth/principal.h"
#include "common/password.h"
#include "link_test_support.h"
#include "links/link_queries.h"

namespace shortlink::admin {
namespace {

using testing::Codes;

constexpr int64_t kNowMs = 1'800'000'000'000;  // 2027-01-15T08:00:00Z

const auth::Principal kAlice = auth::PersonalPrincipal(1, auth::Role::kMember);
const auth::Principal kBob = auth::PersonalPrincipal(2, auth::Role::kOwner);

struct Fixture : testing::ServiceFixture {
  Fixture() {
    api.index = &index;
    api.links = service.get();
    api.hasher = &hasher;
    api.url_policy = UrlPolicy{"go.example", DefaultShortenerBlocklist()};
  }

  // Runs one command to its end on an io_context of this thread, as an I/O
  // thread of the server would.
  template <class T>
  T Run(boost::asio::awaitable<T> command) {
    boost::asio::io_context ioc;
    std::optional<T> out;
    boost::asio::co_spawn(
        ioc, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(command)); },
        boost::asio::detached);
    ioc.run();
    REQUIRE(out);
    return std::move(*out);
  }

  Result<Link> Create(const auth::Principal& p, std::optional<std::string> code,
                      std::string long_url = "https://example.com/") {
    NewLink link;
    link.code = std::move(code);
    link.long_url = std::move(long_url);
    return Run(CreateLinkAs(api, p, std::move(link), kNowMs));
  }

  PasswordHasher hasher{1};
  LinkApi api;
};

void CheckRefused(const Result<Link>& r, ErrorCode code, std::string_view message) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code);
  CHECK(r.error().message == message);
}

}  // namespace

TEST_CASE("create: the link as stored, validated as every create path", "[commands]") {
  Fixture f;
  auto made = f.Create(kAlice, "Hello-1");
  REQUIRE(made.ok());
  CHECK(made->code == "hello-1");  // normalized
  CHECK(made->owner == kAlice.user);
  CHECK(made->created_at_ms > 0);
  CHECK(f.index.Get("hello-1") == *made);

  auto random = f.Create(kAlice, std::nullopt);
  REQUIRE(random.ok());
  CHECK(random->code.size() == 8);
  // A code given empty is a bad code, not a request for a random one.
  CHECK(f.Create(kAlice, "").error().code == ErrorCode::kInvalidArgument);

  CheckRefused(f.Create(kBob, "hello-1"), ErrorCode::kConflict,
               "Short link \"hello-1\" is already used.");
  auto bad_url = f.Create(kAlice, "x1", "ftp://example.com/");
  REQUIRE_FALSE(bad_url.ok());
  CHECK(bad_url.error().code == ErrorCode::kInvalidArgument);
  auto own_host = f.Create(kAlice, "x2", "https://go.example/abc");  // a loop through the edge
  REQUIRE_FALSE(own_host.ok());
  CHECK(own_host.error().code == ErrorCode::kInvalidArgument);
  auto bad_code = f.Create(kAlice, "no spaces");
  REQUIRE_FALSE(bad_code.ok());
  CHECK(bad_code.error().code == ErrorCode::kInvalidArgument);
  auto reserved = f.Create(kAlice, "api");
  REQUIRE_FALSE(reserved.ok());
  CHECK(reserved.error().code == ErrorCode::kInvalidArgument);

  NewLink dead;
  dead.long_url = "https://example.com/";
  dead.fields.expires_at_ms = kNowMs;
  auto refused = f.Run(CreateLinkAs(f.api, kAlice, std::move(dead), kNowMs));
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("expiresAt is in the past"));

  NewLink half;  // an expiredUrl without expiresAt: the rules together
  half.long_url = "https://example.com/";
  half.fields.expired_url = "https://example.com/gone";
  auto inconsistent = f.Run(CreateLinkAs(f.api, kAlice, std::move(half), kNowMs));
  REQUIRE_FALSE(inconsistent.ok());
  CHECK_THAT(inconsistent.error().message, Catch::Contains("expiredUrl needs expiresAt"));

  CHECK(f.index.List({kAlice.user}).count == 2);  // hello-1 and the random one, nothing refused
  CHECK(f.index.List({kBob.user}).count == 0);
}

TEST_CASE("create: a password reaches the writer only as its hash", "[commands]") {
  Fixture f;
  NewLink link;
  link.code = "secret";
  link.long_url = "https://example.com/";
  link.fields.password = "open sesame";
  auto made = f.Run(CreateLinkAs(f.api, kAlice, std::move(link), kNowMs));
  REQUIRE(made.ok());
  CHECK(IsPasswordHash(made->rules.password_hash));
  CHECK(VerifyPassword(made->rules.password_hash, "open sesame"));
  CHECK(f.index.Get("secret")->rules.password_hash == made->rules.password_hash);
}

TEST_CASE("get and list: a principal's own links only", "[commands]") {
  Fixture f;
  REQUIRE(f.Create(kAlice, "alice-1").ok());
  REQUIRE(f.Create(kAlice, "alice-2").ok());
  REQUIRE(f.Create(kBob, "bob-1").ok());

  auto mine = GetLinkAs(f.index, kAlice, "ALICE-1");
  REQUIRE(mine.ok());
  CHECK(mine->code == "alice-1");
  // Another's link and no link answer alike.
  CheckRefused(GetLinkAs(f.index, kAlice, "bob-1"), ErrorCode::kNotFound,
               "Short link \"bob-1\" does not exist.");
  CheckRefused(GetLinkAs(f.index, kAlice, "nobody"), ErrorCode::kNotFound,
               "Short link \"nobody\" does not exist.");
  CHECK(GetLinkAs(f.index, kAlice, "api").error().code == ErrorCode::kNotFound);

  ListQuery query;
  query.owner = kBob.user;  // ignored: the principal's links are listed
  auto list = ListLinksAs(f.index, kAlice, query);
  REQUIRE(list.ok());
  CHECK(list->count == 2);
  CHECK(Codes(*list) == std::vector<std::string>{"alice-2", "alice-1"});
  CHECK(Codes(*ListLinksAs(f.index, kBob, {})) == std::vector<std::string>{"bob-1"});
  CHECK_FALSE(ListLinksAs(f.index, auth::NodePrincipal(), {}).ok());
}

TEST_CASE("update: the principal's link changes, another's does not", "[commands]") {
  Fixture f;
  REQUIRE(f.Create(kAlice, "mine").ok());
  REQUIRE(f.Create(kBob, "theirs", "https://example.com/bob").ok());

  LinkChange change;
  change.long_url = "https://example.com/new";
  change.state = LinkState::kInactive;
  change.fields.title = "New";
  auto updated = f.Run(UpdateLinkAs(f.api, kAlice, "MINE", change));
  REQUIRE(updated.ok());
  CHECK(updated->long_url == "https://example.com/new");
  CHECK(updated->state == LinkState::kInactive);
  CHECK(updated->title == "New");
  CHECK(f.index.Get("mine") == *updated);

  // Bob's link: 404 as if missing, even with a password to hash, and unchanged.
  LinkChange with_password = change;
  with_password.fields.password = "pw";
  for (const LinkChange& c : {change, with_password}) {
    CheckRefused(f.Run(UpdateLinkAs(f.api, kAlice, "theirs", c)), ErrorCode::kNotFound,
                 "Short link \"theirs\" does not exist.");
  }
  CHECK(f.index.Get("theirs")->long_url == "https://example.com/bob");
  CHECK(f.index.Get("theirs")->title.empty());

  CheckRefused(f.Run(UpdateLinkAs(f.api, kAlice, "missing", change)), ErrorCode::kNotFound,
               "Short link \"missing\" does not exist.");
  CheckRefused(f.Run(UpdateLinkAs(f.api, kAlice, "mine", LinkChange{})),
               ErrorCode::kInvalidArgument,
               "Nothing to update: give longUrl, state or another field of the link.");
  LinkChange bad_url;
  bad_url.long_url = "not a url";
  CHECK(f.Run(UpdateLinkAs(f.api, kAlice, "mine", bad_url)).error().code ==
        ErrorCode::kInvalidArgument);
  // A viewer sees its team's link but may not change it: told so (403), as
  // the link is its team's to see.
  auth::Principal viewer = auth::PersonalPrincipal(kAlice.user, auth::Role::kViewer);
  auto refused = f.Run(UpdateLinkAs(f.api, viewer, "mine", change));
  CHECK(refused.error().code == ErrorCode::kForbidden);
  CHECK_THAT(refused.error().message, Catch::Contains("member or above"));
  // Another team's link stays missing, whatever the role.
  CHECK(f.Run(UpdateLinkAs(f.api, kBob, "mine", change)).error().code == ErrorCode::kNotFound);
}

TEST_CASE("delete: the principal's link goes, another's stays", "[commands]") {
  Fixture f;
  REQUIRE(f.Create(kAlice, "mine").ok());
  REQUIRE(f.Create(kBob, "theirs").ok());
  CheckRefused(f.Run(DeleteLinkAs(f.api, kAlice, "theirs")), ErrorCode::kNotFound,
               "Short link \"theirs\" does not exist.");
  CHECK(f.index.Contains("theirs"));
  auto deleted = f.Run(DeleteLinkAs(f.api, kAlice, "mine"));
  REQUIRE(deleted.ok());
  CHECK(deleted->code == "mine");
  CHECK_FALSE(f.index.Contains("mine"));
  CheckRefused(f.Run(DeleteLinkAs(f.api, kAlice, "mine")), ErrorCode::kNotFound,
               "Short link \"mine\" does not exist.");
}

TEST_CASE("bulk: one answer per row, in order, good rows commit together", "[commands]") {
  Fixture f;
  REQUIRE(f.Create(kBob, "taken").ok());
  std::vector<NewLink> rows(5);
  rows[0].code = "first";
  rows[0].long_url = "https://example.com/1";
  rows[1].code = "bad url";  // a bad code
  rows[1].long_url = "https://example.com/2";
  rows[2].code = "taken";  // Bob's
  rows[2].long_url = "https://example.com/3";
  rows[3].code = "first";  // a duplicate within the request
  rows[3].long_url = "https://example.com/4";
  rows[4].long_url = "https://example.com/5";  // a random code
  auto answers = f.Run(BulkCreateAs(f.api, kAlice, rows, kNowMs));
  REQUIRE(answers.ok());
  REQUIRE(answers->size() == 5);
  REQUIRE((*answers)[0].ok());
  CHECK((*answers)[0]->code == "first");
  CHECK((*answers)[1].error().code == ErrorCode::kInvalidArgument);
  CHECK((*answers)[2].error().code == ErrorCode::kConflict);
  CHECK((*answers)[3].error().code == ErrorCode::kConflict);
  REQUIRE((*answers)[4].ok());
  CHECK(f.index.Get("first")->long_url == "https://example.com/1");
  CHECK(f.index.Get("taken")->owner == kBob.user);
  CHECK(f.index.List({kAlice.user}).count == 2);

  // Refused whole: no rows, too many rows, too many passwords.
  CHECK_FALSE(f.Run(BulkCreateAs(f.api, kAlice, {}, kNowMs)).ok());
  std::vector<NewLink> many(kMaxBulkRows + 1, rows[4]);
  CHECK(f.Run(BulkCreateAs(f.api, kAlice, many, kNowMs)).error().code ==
        ErrorCode::kInvalidArgument);
  std::vector<NewLink> locked(kMaxBulkPasswords + 1, rows[4]);
  for (NewLink& l : locked) l.fields.password = "pw";
  auto too_many = f.Run(BulkCreateAs(f.api, kAlice, locked, kNowMs));
  REQUIRE_FALSE(too_many.ok());
  CHECK_THAT(too_many.error().message, Catch::Contains("may set a password"));
  CHECK(f.index.List({kAlice.user}).count == 2);
}

TEST_CASE("a principal that may not write links creates none", "[commands]") {
  Fixture f;
  auth::Principal viewer = auth::PersonalPrincipal(1, auth::Role::kViewer);
  CheckRefused(f.Create(viewer, "nope"), ErrorCode::kForbidden,
               "Your role in this team (viewer) may not create links: that needs member or above.");
  NewLink row;
  row.long_url = "https://example.com/";
  std::vector<NewLink> rows(1, row);
  CHECK_FALSE(f.Run(BulkCreateAs(f.api, auth::NodePrincipal(), rows, kNowMs)).ok());
  CHECK(f.index.size() == 0);
}

}  // namespace shortlink::admin
