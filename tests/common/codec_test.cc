#include <catch2/catch.hpp>

#include "common/change.h"
#include "common/click_batch.h"
#include "common/clock.h"
#include "common/link.h"
#include "common/metrics.h"
#include "common/wire.h"

namespace shortlink {
namespace {

Link Sample() {
  Link l;
  l.code = "abc-1";
  l.long_url = "https://example.com/x?y=1";
  l.state = LinkState::kInactive;
  l.owner = 42;
  l.clicks = 1ull << 40;
  l.created_at_ms = 1663558260131;
  l.updated_at_ms = 1663558260999;
  l.is_file = true;
  return l;
}

}  // namespace

TEST_CASE("links, changes and click batches survive a round trip") {
  std::string bytes;
  EncodeLink(Sample(), &bytes);
  CHECK(DecodeLink(bytes).value() == Sample());

  Change change{123456789, ChangeOp::kDelete, Sample()};
  bytes.clear();
  EncodeChange(change, &bytes);
  CHECK(DecodeChange(bytes).value() == change);

  ClickBatch batch{"edge-1", 7, {{"abc", 3}, {"x-y", 1000000}}};
  bytes.clear();
  EncodeClickBatch(batch, &bytes);
  CHECK(DecodeClickBatch(bytes).value() == batch);
}

TEST_CASE("every truncation of a record is refused, never read past") {
  std::string bytes;
  EncodeChange(Change{9, ChangeOp::kUpsert, Sample()}, &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto decoded = DecodeChange(std::string_view(bytes.data(), n));
    // A prefix may still be a whole record only if it ends on a field boundary
    // after code and URL; it must then decode to a consistent link.
    if (decoded.ok()) CHECK(decoded->link.code == "abc-1");
  }
  CHECK_FALSE(DecodeChange("").ok());
  CHECK_FALSE(DecodeChange(std::string("\x01\x09", 2)).ok());  // unknown op
  CHECK_FALSE(DecodeLink("").ok());                            // no code, no URL
  CHECK_FALSE(DecodeClickBatch("").ok());
}

TEST_CASE("unknown fields are skipped so newer writers stay readable") {
  std::string bytes;
  EncodeLink(Sample(), &bytes);
  wire::PutField(200, "from the future", &bytes);
  CHECK(DecodeLink(bytes).value() == Sample());
}

TEST_CASE("varints: round trip, overlong and overflowing input") {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 1ull << 35, ~0ull}) {
    std::string s;
    wire::PutVarint(v, &s);
    uint64_t back = 0;
    CHECK(wire::ParseVarint(s, &back));
    CHECK(back == v);
  }
  uint64_t v;
  CHECK_FALSE(wire::ParseVarint(std::string(11, '\xff'), &v));
  CHECK_FALSE(wire::ParseVarint("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", &v));  // > 64 bits
  CHECK_FALSE(wire::ParseVarint("\x80", &v));                                      // unterminated
}

TEST_CASE("frames come out whole however the stream is cut") {
  std::string stream;
  std::vector<std::string> records = {"a", std::string(300, 'b'), "", "ccc"};
  for (const auto& r : records) AppendFrame(r, &stream);
  FrameReader reader;
  std::vector<std::string> out;
  for (char c : stream) {
    reader.Feed(std::string_view(&c, 1));
    std::string_view frame;
    bool corrupt = false;
    while (reader.Next(&frame, &corrupt)) out.emplace_back(frame);
    REQUIRE_FALSE(corrupt);
  }
  CHECK(out == records);
  CHECK(reader.pending() == 0);

  FrameReader bad;
  bad.Feed(std::string(12, '\xff'));
  std::string_view frame;
  bool corrupt = false;
  CHECK_FALSE(bad.Next(&frame, &corrupt));
  CHECK(corrupt);
}

TEST_CASE("ISO-8601 with milliseconds, as the Go API prints it") {
  CHECK(FormatIso8601Millis(1663558260131) == "2022-09-19T03:31:00.131Z");
  CHECK(FormatIso8601Millis(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatIso8601Millis(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("metrics render in the Prometheus text format") {
  MetricsRegistry registry;
  registry.GetCounter("requests_total", "Requests.", "status=\"200\"")->Add(3);
  registry.GetGauge("links", "Links.")->Set(7);
  registry.AddCallbackGauge("lag", "Lag.", [] { return 1.5; });
  auto* h = registry.GetHistogram("latency_seconds", "Latency.", "", {0.1, 1});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(5);
  std::string text = registry.Render();
  CHECK(text.find("# TYPE requests_total counter\nrequests_total{status=\"200\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("links 7\n") != std::string::npos);
  CHECK(text.find("lag 1.5\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{le=\"0.10000000000000001\"} 1\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("latency_seconds_count 3\n") != std::string::npos);
  CHECK(EscapeLabelValue("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}

}  // namespace shortlink
