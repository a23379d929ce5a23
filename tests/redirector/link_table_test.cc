#include "table/link_table.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace shortlink::redirector {
namespace {

std::string UrlFor(const std::string& code, int version) {
  return "https://example.com/" + code + "/v" + std::to_string(version);
}

std::optional<std::pair<std::string, LinkState>> Lookup(const LinkTable& table,
                                                        std::string_view code) {
  std::optional<std::pair<std::string, LinkState>> out;
  table.Find(code, [&](const LinkView& v) { out.emplace(std::string(v.long_url), v.state); });
  return out;
}

}  // namespace

TEST_CASE("upsert replaces and erase removes") {
  RcuThreadScope rcu;
  LinkTable table;
  CHECK_FALSE(Lookup(table, "abc"));
  table.Upsert("abc", "https://example.com/1", LinkState::kActive);
  CHECK(Lookup(table, "abc")->first == "https://example.com/1");
  table.Upsert("abc", "https://example.com/2", LinkState::kInactive);
  CHECK(*Lookup(table, "abc") ==
        std::make_pair(std::string("https://example.com/2"), LinkState::kInactive));
  CHECK(table.size() == 1);
  CHECK(table.Erase("abc"));
  CHECK_FALSE(table.Erase("abc"));
  CHECK_FALSE(Lookup(table, "abc"));
  CHECK(table.size() == 0);
  table.Upsert("abc", "https://example.com/3", LinkState::kActive);  // after a tombstone
  CHECK(Lookup(table, "abc")->first == "https://example.com/3");
  CHECK_FALSE(Lookup(table, "ab"));
  CHECK_FALSE(Lookup(table, "abcd"));
}

TEST_CASE("a million links are all found in under 64 bytes of overhead each") {
  RcuThreadScope rcu;
  LinkTable table;
  size_t payload = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    std::string code = "c" + std::to_string(i);
    std::string url = UrlFor(code, 0);
    payload += code.size() + url.size();
    table.Upsert(code, url, LinkState::kActive);
  }
  REQUIRE(table.size() == 1'000'000);
  for (int i = 0; i < 1'000'000; i += 997) {
    std::string code = "c" + std::to_string(i);
    REQUIRE(Lookup(table, code)->first == UrlFor(code, 0));
    REQUIRE_FALSE(Lookup(table, "x" + std::to_string(i)));
  }
  double overhead = double(table.memory_bytes() - payload) / table.size();
  INFO("bytes per link beyond code and URL (malloc's own headers not counted): " << overhead);
  // malloc adds 8-16 bytes per block on top of what memory_bytes counts.
  CHECK(overhead + 16 <= 64);
  // Erasing half and re-adding keeps every link reachable across rehashes.
  for (int i = 0; i < 1'000'000; i += 2) REQUIRE(table.Erase("c" + std::to_string(i)));
  for (int i = 0; i < 1'000'000; i += 2)
    table.Upsert("c" + std::to_string(i), "https://e.com/", LinkState::kActive);
  CHECK(table.size() == 1'000'000);
  CHECK(Lookup(table, "c999999")->first == UrlFor("c999999", 0));
  CHECK(Lookup(table, "c0")->first == "https://e.com/");
}

TEST_CASE("a bulk load (BeginLoad, InsertNew, EndLoad) is served like upserts, and changes go on") {
  RcuThreadScope rcu;
  LinkTable table;
  constexpr int kLinks = 200'000;
  table.BeginLoad(kLinks);
  size_t reserved_bytes = table.memory_bytes();
  size_t entry_bytes = 0;
  for (int i = 0; i < kLinks; ++i) {
    std::string code = "b" + std::to_string(i);
    std::string url = UrlFor(code, 0);
    table.InsertNew(code, url, i % 3 ? LinkState::kActive : LinkState::kInactive);
    entry_bytes += 4 + code.size() + url.size();  // 4-byte header, then the bytes
  }
  table.EndLoad();
  CHECK(table.size() == kLinks);
  // Sized once: the slot array did not grow during the load.
  CHECK(table.memory_bytes() == reserved_bytes + entry_bytes);
  for (int i = 0; i < kLinks; i += 101) {
    std::string code = "b" + std::to_string(i);
    auto found = Lookup(table, code);
    REQUIRE(found);
    CHECK(found->first == UrlFor(code, 0));
    CHECK(found->second == (i % 3 ? LinkState::kActive : LinkState::kInactive));
  }
  // Live changes after the load: replace, erase, insert past the reserve.
  table.Upsert("b0", "https://replaced.example/", LinkState::kActive);
  CHECK(Lookup(table, "b0")->first == "https://replaced.example/");
  CHECK(table.Erase("b1"));
  CHECK_FALSE(Lookup(table, "b1"));
  for (int i = kLinks; i < 2 * kLinks; ++i) {
    std::string code = "b" + std::to_string(i);
    table.Upsert(code, UrlFor(code, 0), LinkState::kActive);
  }
  CHECK(table.size() == 2 * kLinks - 1);
  CHECK(Lookup(table, "b" + std::to_string(2 * kLinks - 1)));
  CHECK(Lookup(table, "b2"));
}

TEST_CASE(
    "a bulk load past its estimate grows the table; a change before EndLoad sees every link") {
  RcuThreadScope rcu;
  LinkTable table;
  constexpr int kLinks = 50'000;
  table.BeginLoad(1000);  // an estimate far too low: the table grows as it fills
  for (int i = 0; i < kLinks; ++i) {
    std::string code = "g" + std::to_string(i);
    table.InsertNew(code, UrlFor(code, 0), LinkState::kActive);
  }
  // No EndLoad yet: the upsert of a link still held back replaces it rather
  // than adding a second entry for the same code.
  std::string last = "g" + std::to_string(kLinks - 1);
  table.Upsert(last, "https://replaced.example/", LinkState::kActive);
  CHECK(table.size() == kLinks);
  CHECK(Lookup(table, last)->first == "https://replaced.example/");
  for (int i = 0; i < kLinks; i += 7) {
    std::string code = "g" + std::to_string(i);
    if (code == last) continue;
    auto found = Lookup(table, code);
    REQUIRE(found);
    CHECK(found->first == UrlFor(code, 0));
  }
  table.EndLoad();  // nothing left to place: harmless
  CHECK(table.size() == kLinks);
}
TEST_CASE("readers see whole entries while one writer replaces and erases and grows",
          "[concurrent]") {
  LinkTable table;
  constexpr int kCodes = 2000;
  {
    RcuThreadScope rcu;
    for (int i = 0; i < kCodes; ++i)
      table.Upsert("k" + std::to_string(i), UrlFor("k" + std::to_string(i), 0), LinkState::kActive);
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> lookups{0}, inconsistent{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      RcuThreadScope rcu;
      uint64_t n = 0;
      char code[16];
      for (int i = r; !stop.load(std::memory_order_relaxed); i = (i + 7) % (kCodes * 2)) {
        int len = snprintf(code, sizeof code, "k%d", i);
        table.Find(std::string_view(code, len), [&](const LinkView& v) {
          // The URL embeds the code: a torn or freed entry would not match.
          std::string_view want_prefix = "https://example.com/";
          if (v.long_url.substr(0, want_prefix.size()) != want_prefix ||
              v.long_url.substr(want_prefix.size(), len) != std::string_view(code, len) ||
              v.code != std::string_view(code, len)) {
            inconsistent.fetch_add(1);
          }
        });
        ++n;
      }
      lookups.fetch_add(n);
    });
  }
  {
    RcuThreadScope rcu;
    for (int round = 1; round <= 30; ++round) {
      for (int i = 0; i < kCodes * 2; ++i) {
        std::string code = "k" + std::to_string(i);
        if ((i + round) % 5 == 0)
          table.Erase(code);
        else
          table.Upsert(code, UrlFor(code, round),
                       round % 2 ? LinkState::kActive : LinkState::kInactive);
      }
    }
  }
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(inconsistent.load() == 0);
  CHECK(lookups.load() > 0);
}

}  // namespace shortlink::redirector
