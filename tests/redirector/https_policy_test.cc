#include "edge/https_policy.h"

#include <catch2/catch.hpp>

namespace shortlink::redirector {

TEST_CASE("a host list matches exact names and one-label wildcards only") {
  auto list = HostList::Parse("Sho.RT, *.example.com");
  REQUIRE(list.ok());
  CHECK(list->Matches("sho.rt"));
  CHECK(list->Matches("a.example.com"));
  CHECK_FALSE(list->Matches("example.com"));
  CHECK_FALSE(list->Matches("a.b.example.com"));
  CHECK_FALSE(list->Matches("www.sho.rt"));
  CHECK_FALSE(list->Matches(""));
  CHECK_FALSE(list->empty());
}

TEST_CASE("a star matches every named host and an empty list none") {
  auto all = HostList::Parse("*");
  REQUIRE(all.ok());
  CHECK(all->Matches("anything.test"));
  CHECK_FALSE(all->Matches(""));  // no Host: nothing to send the visitor to
  auto none = HostList::Parse("");
  REQUIRE(none.ok());
  CHECK(none->empty());
  CHECK_FALSE(none->Matches("sho.rt"));
}

TEST_CASE("a host list refuses what is not a host name") {
  CHECK_FALSE(HostList::Parse("sho.rt,bad host").ok());
  CHECK_FALSE(HostList::Parse("*.").ok());
  CHECK_FALSE(HostList::Parse("http://sho.rt").ok());
}

TEST_CASE("the HSTS header carries the max age") {
  CHECK(HttpsPolicy::HstsHeader(600) == "Strict-Transport-Security: max-age=600\r\n");
  CHECK(HttpsPolicy::HstsHeader(4294967295u).size() <= kMaxHstsHeaderBytes);
}

}  // namespace shortlink::redirector
