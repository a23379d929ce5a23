#include "tls/cert_store.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"
#include "test_certs.h"
#include "tls/ticket_keys.h"

namespace shortlink::redirector {

using shortlink::testing::TempDir;
namespace {

using testing::KeyKind;
using testing::WriteCert;

}  // namespace

TEST_CASE("a certificate directory serves each host from its own certificate") {
  TempDir dir;
  WriteCert(dir.path(), "a-default", {"sho.rt", "www.sho.rt"});
  WriteCert(dir.path(), "b-rsa", {"sho.rt"}, KeyKind::kRsa);
  WriteCert(dir.path(), "c-wild", {"*.example.com"});
  TicketKeys tickets;
  auto store = CertStore::Load(dir.path(), "", &tickets);
  REQUIRE(store.ok());
  const CertStore& s = **store;
  CHECK(s.certificates() == 3);
  CHECK(s.hosts() == std::vector<std::string>{"*.example.com", "sho.rt", "www.sho.rt"});
  CHECK(s.ContextFor("a.example.com") == s.ContextFor("*.example.com"));
  CHECK(s.ContextFor("a.example.com") != nullptr);
  CHECK(s.ContextFor("a.b.example.com") == nullptr);
  CHECK(s.ContextFor("unknown.test") == nullptr);
  // sho.rt has an ECDSA and an RSA certificate: one context with both.
  CHECK(s.ContextFor("sho.rt") != s.ContextFor("www.sho.rt"));
  CHECK(s.default_context() ==
        s.ContextFor("sho.rt"));  // the first file's first host, all its certificates
}

TEST_CASE("the default certificate is the one named") {
  TempDir dir;
  WriteCert(dir.path(), "a", {"a.test"});
  WriteCert(dir.path(), "b", {"b.test"});
  TicketKeys tickets;
  auto store = CertStore::Load(dir.path(), "b", &tickets);
  REQUIRE(store.ok());
  CHECK((*store)->default_context() == (*store)->ContextFor("b.test"));
  auto missing = CertStore::Load(dir.path(), "c", &tickets);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains("c.crt"));
}

TEST_CASE("a certificate directory with a problem is refused and names it") {
  TempDir dir;
  TicketKeys tickets;
  SECTION("empty") {
    auto store = CertStore::Load(dir.path(), "", &tickets);
    REQUIRE_FALSE(store.ok());
    CHECK_THAT(store.error().message, Catch::Contains("no NAME.crt"));
  }
  SECTION("a certificate without its key") {
    WriteCert(dir.path(), "a", {"a.test"});
    std::filesystem::remove(dir.path() + "/a.key");
    auto store = CertStore::Load(dir.path(), "", &tickets);
    REQUIRE_FALSE(store.ok());
    CHECK_THAT(store.error().message, Catch::Contains("a.key"));
  }
  SECTION("a key that belongs to another certificate") {
    WriteCert(dir.path(), "a", {"a.test"});
    WriteCert(dir.path(), "b", {"b.test"});
    std::filesystem::copy_file(dir.path() + "/b.key", dir.path() + "/a.key",
                               std::filesystem::copy_options::overwrite_existing);
    auto store = CertStore::Load(dir.path(), "", &tickets);
    REQUIRE_FALSE(store.ok());
    CHECK_THAT(store.error().message, Catch::Contains("a.key"));
  }
  SECTION("a file that is not a certificate") {
    WriteCert(dir.path(), "a", {"a.test"});
    std::ofstream(dir.path() + "/a.crt") << "not a certificate\n";
    auto store = CertStore::Load(dir.path(), "", &tickets);
    REQUIRE_FALSE(store.ok());
    CHECK_THAT(store.error().message, Catch::Contains("a.crt"));
  }
  SECTION("a directory that does not exist") {
    auto store = CertStore::Load(dir.path() + "/none", "", &tickets);
    REQUIRE_FALSE(store.ok());
  }
}

TEST_CASE("ticket keys rotate and the previous ones still open tickets") {
  TicketKeys tickets(std::chrono::seconds(0), 2);  // a new key at every sealing
  TicketKeys::Key first = tickets.Current();
  TicketKeys::Key second = tickets.Current();
  CHECK(first.name != second.name);
  TicketKeys::Key found;
  bool current = false;
  REQUIRE(tickets.Find(first.name.data(), &found, &current));
  CHECK(found.aes == first.aes);
  CHECK_FALSE(current);
  tickets.Current();  // a third: the first is no longer kept
  CHECK_FALSE(tickets.Find(first.name.data(), &found, &current));
  CHECK(tickets.rotations() == 4);  // the constructor's, then three
}

}  // namespace shortlink::redirector
