#include "clicks/visit_ring.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "clicks/click_counter.h"

namespace shortlink::redirector {
namespace {

// Views: the caller keeps `code` and `agent` alive while the record is used.
VisitRecord Visit(std::string_view code, std::string_view agent) {
  VisitRecord v;
  v.code = code;
  v.user_agent = agent;
  v.address = std::string_view("\x0a\x00\x00\x01", 4);
  v.referer = "https://ref.example/";
  v.accept_language = "en";
  v.query = "a=b";
  return v;
}

}  // namespace

TEST_CASE("a visit record comes out of the ring as it went in") {
  VisitRing ring(4096);
  VisitRecord in = Visit("abc", "Mozilla/5.0");
  in.domain = "go.example";
  in.bot = true;
  REQUIRE(ring.Push(in));
  size_t read = ring.Read([&](const VisitRecord& out) {
    CHECK(out.bot);
    CHECK(out.domain == "go.example");
    CHECK(out.code == "abc");
    CHECK(out.user_agent == "Mozilla/5.0");
    CHECK(out.address == in.address);
    CHECK(out.referer == in.referer);
    CHECK(out.accept_language == "en");
    CHECK(out.query == "a=b");
  });
  CHECK(read == 1);
  CHECK(ring.Read([](const VisitRecord&) { FAIL("read twice"); }) == 0);
}

TEST_CASE("long header values are cut to the ring's bounds") {
  VisitRing ring(1 << 16);
  static const std::string agent(5000, 'a'), referer(5000, 'r'), language(500, 'l'),
      query(900, 'q');
  VisitRecord v = Visit("c", agent);
  v.referer = referer;
  v.accept_language = language;
  v.query = query;
  REQUIRE(ring.Push(v));
  ring.Read([](const VisitRecord& out) {
    CHECK(out.user_agent.size() == VisitRing::kMaxUserAgent);
    CHECK(out.referer.size() == VisitRing::kMaxReferer);
    CHECK(out.accept_language.size() == VisitRing::kMaxLanguage);
    CHECK(out.query.size() == VisitRing::kMaxQuery);
  });
}

TEST_CASE("a full ring refuses a visit and takes it again once read, across its end") {
  VisitRing ring(1024);
  size_t pushed = 0;
  while (ring.Push(Visit("code" + std::to_string(pushed), std::string(37, 'x')))) ++pushed;
  REQUIRE(pushed > 3);
  size_t next_read = 0;
  auto expect_in_order = [&](const VisitRecord& v) {
    CHECK(v.code == "code" + std::to_string(next_read));
    ++next_read;
  };
  // Many rounds of fill and drain: records wrap around the end many times.
  for (int round = 0; round < 50; ++round) {
    CHECK(ring.Read(expect_in_order) > 0);
    while (ring.Push(Visit("code" + std::to_string(pushed), std::string(round, 'y')))) ++pushed;
  }
  ring.Read(expect_in_order);
  CHECK(next_read == pushed);
}

TEST_CASE("a full visit ring still counts the click, as unclassified") {
  ThreadClicks clicks;
  clicks.EnableVisits(256);
  std::string agent(100, 'a');
  VisitRecord v = Visit("abc", agent);
  for (int i = 0; i < 10; ++i) clicks.RecordVisit(v);
  CHECK(clicks.clicks() == 10);
  CHECK(clicks.unclassified() > 0);
  size_t in_ring = clicks.visits()->Read([](const VisitRecord&) {});
  CHECK(in_ring + clicks.unclassified() == 10);
  clicks.Tick();
  ClickTable* table = clicks.TakeFull();
  REQUIRE(table != nullptr);
  uint64_t counted = 0;
  table->ForEachIn(0, ClickTable::kCapacity,
                   [&](std::string_view, std::string_view code, uint64_t n) { counted += n; });
  CHECK(counted == clicks.unclassified());
  clicks.ReturnSpare(table);
}

TEST_CASE("a worker and a collector share a visit ring", "[concurrent]") {
  VisitRing ring(1 << 14);
  constexpr size_t kVisits = 200'000;
  std::thread worker([&] {
    std::string code;
    for (size_t i = 0; i < kVisits; ++i) {
      code = "c" + std::to_string(i);
      VisitRecord v = Visit(code, "agent");  // `code` outlives the Push below
      while (!ring.Push(v)) std::this_thread::yield();
    }
  });
  size_t next = 0;
  while (next < kVisits) {
    ring.Read([&](const VisitRecord& v) {
      if (v.code != "c" + std::to_string(next)) FAIL("out of order at " << next);
      ++next;
    });
  }
  worker.join();
  CHECK(next == kVisits);
}

}  // namespace shortlink::redirector
