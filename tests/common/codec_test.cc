#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <thread>
#include <vector>

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

std::string Encoded(const Link& link) {
  std::string out;
  EncodeLink(link, &out);
  return out;
}

std::string Encoded(const Change& change) {
  std::string out;
  EncodeChange(change, &out);
  return out;
}

std::string Varint(uint64_t v) {
  std::string out;
  wire::PutVarint(v, &out);
  return out;
}

// Offsets at which a field of `record` ends (record = tagged fields only).
std::vector<size_t> FieldEnds(std::string_view record) {
  std::vector<size_t> ends;
  wire::Reader reader(record);
  uint8_t tag;
  std::string_view bytes;
  while (reader.ReadField(&tag, &bytes)) ends.push_back(record.size() - reader.rest().size());
  REQUIRE(reader.done());
  return ends;
}

// Frames of `stream`, fed to a FrameReader in pieces of the given sizes.
std::vector<std::string> ReadFrames(const std::string& stream, const std::vector<size_t>& pieces,
                                    bool* corrupt) {
  FrameReader reader;
  std::vector<std::string> out;
  size_t pos = 0, i = 0;
  *corrupt = false;
  while (pos < stream.size()) {
    size_t n = std::min(pieces[i++ % pieces.size()], stream.size() - pos);
    reader.Feed(std::string_view(stream).substr(pos, n));
    pos += n;
    std::string_view frame;
    while (reader.Next(&frame, corrupt)) out.emplace_back(frame);
    if (*corrupt) break;
  }
  return out;
}

}  // namespace

// --- wire ---------------------------------------------------------------------

TEST_CASE("varints: round trip and sizes", "[codec]") {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 16383ull, 16384ull, 1ull << 35,
                     (1ull << 63) - 1, 1ull << 63, ~0ull}) {
    INFO(v);
    std::string s = Varint(v);
    uint64_t back = 0;
    CHECK(wire::ParseVarint(s, &back));
    CHECK(back == v);
  }
  CHECK(Varint(0) == std::string(1, '\0'));
  CHECK(Varint(127) == "\x7f");
  CHECK(Varint(128) == "\x80\x01");
  CHECK(Varint(300) == "\xac\x02");
  CHECK(Varint(~0ull).size() == 10);
}

TEST_CASE("varints: overlong, overflowing, unterminated and padded input is refused", "[codec]") {
  uint64_t v = 12345;
  CHECK_FALSE(wire::ParseVarint("", &v));
  CHECK_FALSE(wire::ParseVarint("\x80", &v));                  // unterminated
  CHECK_FALSE(wire::ParseVarint("\xff\xff\xff\xff\xff", &v));  // unterminated
  CHECK_FALSE(wire::ParseVarint(std::string(11, '\xff'), &v));
  CHECK_FALSE(wire::ParseVarint(std::string(10, '\x80') + '\x01', &v));  // 11 bytes
  CHECK_FALSE(wire::ParseVarint(std::string(100, '\x80'), &v));
  // The tenth byte may only carry the 64th bit.
  CHECK_FALSE(wire::ParseVarint("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", &v));
  CHECK_FALSE(wire::ParseVarint("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x81\x00", &v));
  CHECK(wire::ParseVarint("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", &v));
  CHECK(v == ~0ull);
  // A field's payload must be exactly one varint.
  CHECK_FALSE(wire::ParseVarint(std::string("\x01\x00", 2), &v));

  // A Reader does not read past the end, whatever the varint promises.
  wire::Reader reader(std::string_view("\x80\x80", 2));
  CHECK_FALSE(reader.ReadVarint(&v));
}

TEST_CASE("fixed64 is big-endian, so byte order is numeric order", "[codec]") {
  std::vector<uint64_t> values = {0, 1, 255, 256, 1ull << 32, (1ull << 63) + 5, ~0ull};
  std::vector<std::string> encoded;
  for (uint64_t v : values) {
    std::string s;
    wire::PutFixed64BE(v, &s);
    REQUIRE(s.size() == 8);
    CHECK(wire::GetFixed64BE(s.data()) == v);
    encoded.push_back(s);
  }
  for (size_t i = 1; i < encoded.size(); ++i) CHECK(encoded[i - 1] < encoded[i]);
  std::string s;
  wire::PutFixed64BE(0x0102030405060708ull, &s);
  CHECK(s == "\x01\x02\x03\x04\x05\x06\x07\x08");
}

TEST_CASE("a field's length is checked against the bytes that are there", "[codec]") {
  std::string_view bytes;
  uint8_t tag;
  {
    wire::Reader reader(
        std::string_view("\x01\x05"
                         "abc",
                         5));  // says 5, has 3
    CHECK_FALSE(reader.ReadField(&tag, &bytes));
  }
  {
    std::string huge = "\x01" + Varint(~0ull) + "abc";  // says 2^64-1
    wire::Reader reader(huge);
    CHECK_FALSE(reader.ReadField(&tag, &bytes));
  }
  {
    wire::Reader reader("");
    CHECK_FALSE(reader.ReadField(&tag, &bytes));
    CHECK_FALSE(reader.ReadBytes(1, &bytes));
    CHECK(reader.ReadBytes(0, &bytes));
  }
  {
    std::string field;
    wire::PutField(7, "hello", &field);
    CHECK(field == std::string("\x07\x05hello"));
    wire::Reader reader(field);
    REQUIRE(reader.ReadField(&tag, &bytes));
    CHECK(tag == 7);
    CHECK(bytes == "hello");
    CHECK(reader.done());
  }
}

// --- links --------------------------------------------------------------------

TEST_CASE("links survive a round trip", "[codec]") {
  CHECK(DecodeLink(Encoded(Sample())).value() == Sample());

  Link defaults;  // every field at its default, empty code and URL included
  CHECK(DecodeLink(Encoded(defaults)).value() == defaults);

  Link extreme = Sample();
  extreme.code = std::string("a\0b\xff", 4);  // bytes are bytes: the codec does not validate
  extreme.long_url = "https://example.com/" + std::string(100000, 'x');
  extreme.state = LinkState::kActive;
  extreme.owner = ~0ull;
  extreme.clicks = ~0ull;
  extreme.created_at_ms = std::numeric_limits<int64_t>::min();
  extreme.updated_at_ms = -1;  // before 1970: stored as two's complement
  extreme.is_file = false;
  CHECK(DecodeLink(Encoded(extreme)).value() == extreme);

  Link max_times = Sample();
  max_times.created_at_ms = std::numeric_limits<int64_t>::max();
  max_times.updated_at_ms = 0;
  CHECK(DecodeLink(Encoded(max_times)).value() == max_times);
}

TEST_CASE("a truncated link is refused unless it ends on a field boundary", "[codec]") {
  std::string bytes = Encoded(Sample());
  std::vector<size_t> ends = FieldEnds(bytes);
  REQUIRE(ends.size() >= 3);
  size_t after_url = ends[1];  // code, then URL: the two fields a link needs
  for (size_t n = 0; n < bytes.size(); ++n) {
    INFO(n);
    auto decoded = DecodeLink(std::string_view(bytes.data(), n));
    bool boundary = std::find(ends.begin(), ends.end(), n) != ends.end();
    CHECK(decoded.ok() == (boundary && n >= after_url));
    if (decoded.ok()) {
      // Whole fields only: what is there is right, the rest is default.
      CHECK(decoded->code == "abc-1");
      CHECK(decoded->long_url == "https://example.com/x?y=1");
    } else {
      CHECK(decoded.error().code == ErrorCode::kInvalidArgument);
    }
  }
  CHECK_FALSE(DecodeLink("").ok());
  std::string code_only;
  wire::PutField(1, "abc", &code_only);
  CHECK_FALSE(DecodeLink(code_only).ok());  // no URL
}

TEST_CASE("malformed link fields are refused", "[codec]") {
  auto with = [](uint8_t tag, std::string_view payload) {
    std::string bytes = Encoded(Sample());
    wire::PutField(tag, payload, &bytes);
    return DecodeLink(bytes);
  };
  CHECK_FALSE(with(3, Varint(2)).ok());  // no such state
  CHECK_FALSE(with(3, Varint(~0ull)).ok());
  CHECK_FALSE(with(4, "").ok());                       // an integer field without its integer
  CHECK_FALSE(with(5, "\x80").ok());                   // unterminated
  CHECK_FALSE(with(6, std::string("\x01\x01")).ok());  // two varints where one belongs
  CHECK_FALSE(with(7, std::string(11, '\xff')).ok());  // overflows 64 bits
  CHECK_FALSE(with(8, "\xff").ok());
  // A field whose length runs past the end.
  std::string bytes = Encoded(Sample()) + "\x02" + Varint(1000) + "short";
  CHECK_FALSE(DecodeLink(bytes).ok());
}

TEST_CASE("unknown link fields are skipped so newer writers stay readable", "[codec]") {
  std::string bytes = Encoded(Sample());
  wire::PutField(200, "from the future", &bytes);
  CHECK(DecodeLink(bytes).value() == Sample());

  // Anywhere in the record, of any size, including tag 0 and 255.
  std::string mixed;
  wire::PutField(0, "", &mixed);
  wire::PutField(99, std::string(70000, '\xff'), &mixed);  // a varint would not parse: skipped
  mixed += Encoded(Sample());
  wire::PutField(255, Varint(~0ull), &mixed);
  wire::PutVarintField(42, 7, &mixed);
  CHECK(DecodeLink(mixed).value() == Sample());
}

// --- domains -------------------------------------------------------------------

TEST_CASE("a default-domain link is encoded as before domains existed", "[codec][domain]") {
  // The record of Sample() as a release without domains wrote it, field by
  // field: no domain tag, nothing else changed.
  std::string old;
  wire::PutField(1, "abc-1", &old);
  wire::PutField(2, "https://example.com/x?y=1", &old);
  wire::PutVarintField(3, 1, &old);
  wire::PutVarintField(4, 42, &old);
  wire::PutVarintField(5, 1ull << 40, &old);
  wire::PutVarintField(6, 1663558260131, &old);
  wire::PutVarintField(7, 1663558260999, &old);
  wire::PutVarintField(8, 1, &old);
  CHECK(Encoded(Sample()) == old);

  auto decoded = DecodeLink(old);
  REQUIRE(decoded.ok());
  CHECK(decoded->domain.empty());
  CHECK(*decoded == Sample());
  auto served = DecodeServedLink(old);
  REQUIRE(served.ok());
  CHECK(served->domain.empty());

  // An old change and an old snapshot frame decode to the default domain too.
  std::string change = Varint(9) + std::string(1, static_cast<char>(ChangeOp::kDelete)) + old;
  auto decoded_change = DecodeChange(change);
  REQUIRE(decoded_change.ok());
  CHECK(decoded_change->link.domain.empty());
  CHECK(decoded_change->link.code == "abc-1");
}

TEST_CASE("a link on a custom domain round-trips and its domain is served", "[codec][domain]") {
  Link link = Sample();
  link.domain = "go.example.com";
  std::string bytes = Encoded(link);
  CHECK(bytes != Encoded(Sample()));
  CHECK(DecodeLink(bytes).value() == link);

  auto served = DecodeServedLink(bytes);
  REQUIRE(served.ok());
  CHECK(served->domain == "go.example.com");
  CHECK(served->code == "abc-1");
  CHECK_FALSE(served->has_rules);  // a domain is identity, not a rule

  Change change{77, ChangeOp::kUpsert, link};
  CHECK(DecodeChange(Encoded(change)).value() == change);

  // What an older node sees: one more tagged field, of a tag it does not
  // know (31), which the skip-unknown-tags rule passes over. Dropping that
  // field gives back exactly the default-domain record.
  wire::Reader reader(bytes);
  std::string without_domain;
  uint8_t tag = 0;
  std::string_view field;
  int domain_fields = 0;
  while (reader.ReadField(&tag, &field)) {
    if (tag == 31) {
      ++domain_fields;
      CHECK(field == "go.example.com");
      continue;
    }
    wire::PutField(tag, field, &without_domain);
  }
  CHECK(reader.done());
  CHECK(domain_fields == 1);
  CHECK(without_domain == Encoded(Sample()));
}

TEST_CASE("a record whose domain no Host header could name is refused", "[codec][domain]") {
  for (std::string_view bad : {"Go.Example.com", "127.0.0.1", "example.com:8080", "[::1]",
                               "localhost", "example.com.", "exa mple.com"}) {
    INFO(bad);
    Link link = Sample();
    link.domain = std::string(bad);
    std::string bytes = Encoded(link);
    CHECK(DecodeLink(bytes).error().code == ErrorCode::kInvalidArgument);
    CHECK_FALSE(DecodeServedLink(bytes).ok());
  }
  // An empty domain field is the default domain spelled out: refused too,
  // since no writer produces it.
  std::string bytes = Encoded(Sample());
  wire::PutField(31, "", &bytes);
  CHECK_FALSE(DecodeLink(bytes).ok());
}

TEST_CASE("link keys order by domain, then code, the default domain first", "[codec][domain]") {
  std::vector<LinkKey> keys = {{"", "a"},
                               {"", "a-b"},
                               {"", "ab"},
                               {"", "b"},
                               {"a.example", "a"},
                               {"a.example", "z"},
                               {"a.example.org", "a"},
                               {"b.example", "0"}};
  std::vector<std::string> encoded;
  for (const LinkKey& key : keys) encoded.push_back(EncodeLinkKey(key));
  CHECK(std::is_sorted(keys.begin(), keys.end()));
  CHECK(std::is_sorted(encoded.begin(), encoded.end()));  // byte order is key order
  for (size_t i = 0; i < keys.size(); ++i) {
    LinkKey back;
    REQUIRE(DecodeLinkKey(encoded[i], &back));
    CHECK(back == keys[i]);
  }
  CHECK(EncodeLinkKey({"", "abc"}) == std::string("\0abc", 4));
  CHECK(EncodeLinkKey({"go.example", "abc"}) == std::string("go.example\0abc", 14));
  LinkKey none;
  CHECK_FALSE(DecodeLinkKey("abc", &none));  // a pre-domain key has no separator

  Link link = Sample();
  link.domain = "go.example";
  CHECK(KeyOf(link) == LinkKey{"go.example", "abc-1"});
}

Link WithEveryRule() {
  Link link = Sample();
  link.title = "Spring sale";
  link.tags = {"sale", "spring", ""};
  link.hidden = true;
  LinkRules& r = link.rules;
  r.expires_at_ms = 1'900'000'000'000;
  r.expired_url = "https://example.com/over";
  r.max_clicks = 1000;
  r.click_limit_url = "https://example.com/full";
  r.click_type = ClickType::kUnique;
  r.unique_window_minutes = 15;
  r.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
  r.devices = {"https://apps.apple.com/x", "https://play.google.com/x", "https://ms.example/x",
               "https://m.example.com/"};
  r.ab_targets = {{"https://a.example.com/", 30}, {"https://b.example.com/", 70}};
  r.utm = {"news", "email", "spring", "shoes", "top"};
  r.forward_query = true;
  r.redirect_type = 308;
  return link;
}

TEST_CASE("every rule and metadata field survives a round trip", "[codec][rules]") {
  Link link = WithEveryRule();
  CHECK_FALSE(link.rules.empty());
  CHECK(DecodeLink(Encoded(link)).value() == link);
  std::string bytes = Encoded(link);  // the views below point into it
  auto served = DecodeServedLink(bytes);
  REQUIRE(served.ok());
  CHECK(served->has_rules);
  CHECK(served->long_url == link.long_url);

  // Metadata alone is no rule: a node serves such a link by the plain path.
  Link plain = Sample();
  plain.title = "t";
  plain.tags = {"x"};
  plain.hidden = true;
  CHECK(plain.rules.empty());
  CHECK_FALSE(DecodeServedLink(Encoded(plain))->has_rules);
  CHECK(DecodeLink(Encoded(plain)).value() == plain);

  // Each rule on its own marks the record.
  auto marks = [](auto set) {
    Link l = Sample();
    set(l.rules);
    CHECK_FALSE(l.rules.empty());
    CHECK(DecodeServedLink(Encoded(l))->has_rules);
    CHECK(DecodeLink(Encoded(l)).value() == l);
  };
  marks([](LinkRules& r) { r.expires_at_ms = 1; });
  marks([](LinkRules& r) { r.max_clicks = 1; });
  marks([](LinkRules& r) { r.click_type = ClickType::kUnique; });
  marks([](LinkRules& r) { r.password_hash = "h"; });
  marks([](LinkRules& r) { r.devices.windows = "https://w.example/"; });
  marks([](LinkRules& r) { r.ab_targets = {{"https://a.example/", 100}}; });
  marks([](LinkRules& r) { r.utm.term = "t"; });
  marks([](LinkRules& r) { r.forward_query = true; });
  marks([](LinkRules& r) { r.redirect_type = 301; });
}

TEST_CASE("malformed rule fields are refused", "[codec][rules]") {
  auto with = [](uint8_t tag, std::string_view payload) {
    std::string bytes = Encoded(Sample());
    wire::PutField(tag, payload, &bytes);
    return DecodeLink(bytes);
  };
  CHECK_FALSE(with(16, Varint(2)).ok());                           // no such click type
  CHECK_FALSE(with(17, Varint(1'000'000)).ok());                   // unique window over a year
  CHECK_FALSE(with(23, Varint(101) + "https://x.example/").ok());  // over 100%
  CHECK_FALSE(with(23, "").ok());                                  // no percentage
  CHECK_FALSE(with(30, Varint(303)).ok());                         // not a redirect status we send
  CHECK_FALSE(with(12, Varint(~0ull)).ok());                       // an expiry past int64
  CHECK_FALSE(with(29, "\x80").ok());                              // unterminated varint
  CHECK(with(30, Varint(307)).ok());
}

// --- changes ------------------------------------------------------------------

TEST_CASE("changes survive a round trip", "[codec]") {
  for (ChangeOp op : {ChangeOp::kUpsert, ChangeOp::kDelete}) {
    for (uint64_t seq : {0ull, 1ull, 123456789ull, ~0ull}) {
      Change change{seq, op, Sample()};
      CHECK(DecodeChange(Encoded(change)).value() == change);
    }
  }
  // The layout the header promises: varint seq | op byte | link record.
  Change change{300, ChangeOp::kDelete, Sample()};
  CHECK(Encoded(change) == "\xac\x02\x02" + Encoded(Sample()));
}

TEST_CASE("truncated or malformed changes are refused, never read past", "[codec]") {
  std::string bytes = Encoded(Change{9, ChangeOp::kUpsert, Sample()});
  std::vector<size_t> ends = FieldEnds(Encoded(Sample()));
  for (size_t n = 0; n < bytes.size(); ++n) {
    INFO(n);
    auto decoded = DecodeChange(std::string_view(bytes.data(), n));
    // 2 bytes of header (seq 9, op), then the link's own boundaries.
    bool link_boundary = n >= 2 && std::find(ends.begin(), ends.end(), n - 2) != ends.end();
    CHECK(decoded.ok() == (link_boundary && n - 2 >= ends[1]));
  }
  CHECK_FALSE(DecodeChange("").ok());
  CHECK_FALSE(DecodeChange("\x09").ok());  // seq, no op
  for (char op : {'\x00', '\x03', '\x7f', '\xff'}) {
    INFO(static_cast<int>(op));
    CHECK_FALSE(DecodeChange(std::string("\x01") + op + Encoded(Sample())).ok());
  }
  CHECK_FALSE(DecodeChange(std::string(11, '\xff') + "\x01" + Encoded(Sample())).ok());
  CHECK_FALSE(DecodeChange(std::string("\x01\x01", 2)).ok());  // no link at all

  // An unknown field inside the link is skipped here too.
  Change change{5, ChangeOp::kUpsert, Sample()};
  std::string future = Encoded(change);
  wire::PutField(99, "rule", &future);
  CHECK(DecodeChange(future).value() == change);
}

TEST_CASE("click batches survive a round trip", "[codec]") {
  ClickBatch batch{"edge-1", 7, {{"abc", 3}, {"x-y", 1000000}, {"max", ~0ull}}};
  std::string bytes;
  EncodeClickBatch(batch, &bytes);
  CHECK(DecodeClickBatch(bytes).value() == batch);
  CHECK_FALSE(DecodeClickBatch("").ok());
  for (size_t n = 1; n < bytes.size(); ++n) {
    auto decoded = DecodeClickBatch(std::string_view(bytes.data(), n));
    // A prefix may parse; it must never claim clicks it does not hold.
    if (decoded.ok()) CHECK(decoded->clicks.size() <= batch.clicks.size());
  }
}

TEST_CASE("random and mutated records never crash the decoders", "[codec]") {
  std::mt19937_64 rnd(20220919);
  std::string valid = Encoded(Change{77, ChangeOp::kUpsert, Sample()});
  for (int i = 0; i < 20000; ++i) {
    std::string bytes;
    if (i % 2 == 0) {
      bytes.resize(rnd() % 64);
      for (char& c : bytes) c = static_cast<char>(rnd());
    } else {
      bytes = valid;
      for (int flips = 1 + rnd() % 3; flips > 0; --flips)
        bytes[rnd() % bytes.size()] = static_cast<char>(rnd());
      bytes.resize(rnd() % (bytes.size() + 1));
    }
    // Outcomes vary; what matters is that each returns (ASan builds check
    // that nothing is read out of bounds).
    auto link = DecodeLink(bytes);
    auto change = DecodeChange(bytes);
    auto batch = DecodeClickBatch(bytes);
    if (change.ok()) CHECK((change->op == ChangeOp::kUpsert || change->op == ChangeOp::kDelete));
    if (link.ok()) CHECK(static_cast<uint8_t>(link->state) <= 1);
    FrameReader reader;
    reader.Feed(bytes);
    std::string_view frame;
    bool corrupt = false;
    size_t taken = 0;
    while (reader.Next(&frame, &corrupt)) taken += frame.size();
    CHECK(taken <= bytes.size());
  }
}

// --- frames -------------------------------------------------------------------

TEST_CASE("frames come out whole however the stream is cut", "[codec]") {
  std::vector<std::string> records = {"a",
                                      std::string(300, 'b'),
                                      "",
                                      "ccc",
                                      Encoded(Change{1, ChangeOp::kUpsert, Sample()}),
                                      std::string(70000, '\0'),
                                      ""};
  std::string stream;
  for (const auto& r : records) AppendFrame(r, &stream);
  bool corrupt = false;

  SECTION("one byte at a time") {
    FrameReader reader;
    std::vector<std::string> out;
    for (char c : stream) {
      reader.Feed(std::string_view(&c, 1));
      std::string_view frame;
      while (reader.Next(&frame, &corrupt)) out.emplace_back(frame);
      REQUIRE_FALSE(corrupt);
    }
    CHECK(out == records);
    CHECK(reader.pending() == 0);
  }
  SECTION("all at once") {
    CHECK(ReadFrames(stream, {stream.size()}, &corrupt) == records);
    CHECK_FALSE(corrupt);
  }
  SECTION("in pieces of odd sizes") {
    for (size_t piece : {2, 3, 7, 127, 128, 129, 4096}) {
      INFO(piece);
      CHECK(ReadFrames(stream, {piece}, &corrupt) == records);
      CHECK_FALSE(corrupt);
    }
    CHECK(ReadFrames(stream, {1, 5, 1, 300, 2, 65536}, &corrupt) == records);
  }
}

TEST_CASE("many frames: the buffer compacts and nothing is lost", "[codec]") {
  std::vector<std::string> records;
  std::string stream;
  for (int i = 0; i < 5000; ++i) {
    records.push_back(std::string(i % 200, static_cast<char>('a' + i % 26)) + std::to_string(i));
    AppendFrame(records.back(), &stream);
  }
  bool corrupt = false;
  CHECK(ReadFrames(stream, {13}, &corrupt) == records);
  CHECK(ReadFrames(stream, {1000}, &corrupt) == records);
  CHECK_FALSE(corrupt);
}

TEST_CASE("a truncated tail waits for more bytes and is counted as pending", "[codec]") {
  std::string stream;
  AppendFrame("first", &stream);
  std::string second;
  AppendFrame(std::string(500, 'x'), &second);  // a two-byte length
  FrameReader reader;
  reader.Feed(stream);
  reader.Feed(second.substr(0, 1));  // half a length
  std::string_view frame;
  bool corrupt = true;
  REQUIRE(reader.Next(&frame, &corrupt));
  CHECK(frame == "first");
  CHECK_FALSE(reader.Next(&frame, &corrupt));
  CHECK_FALSE(corrupt);
  CHECK(reader.pending() == 1);

  reader.Feed(second.substr(1, 100));  // the length and part of the body
  CHECK_FALSE(reader.Next(&frame, &corrupt));
  CHECK_FALSE(corrupt);
  CHECK(reader.pending() == 101);

  reader.Feed(second.substr(101));
  REQUIRE(reader.Next(&frame, &corrupt));
  CHECK(frame == std::string(500, 'x'));
  CHECK(reader.pending() == 0);
  CHECK_FALSE(reader.Next(&frame, &corrupt));
  CHECK_FALSE(corrupt);
}

TEST_CASE("impossible frame lengths are corruption, not a reason to buffer", "[codec]") {
  std::string_view frame;
  bool corrupt = false;
  {
    FrameReader reader;  // a length varint that never ends
    reader.Feed(std::string(9, '\x80'));
    CHECK_FALSE(reader.Next(&frame, &corrupt));
    CHECK_FALSE(corrupt);  // nine bytes may still become a varint
    reader.Feed("\x80");
    CHECK_FALSE(reader.Next(&frame, &corrupt));
    CHECK(corrupt);  // ten cannot
  }
  {
    FrameReader reader;
    reader.Feed(std::string(12, '\xff'));
    CHECK_FALSE(reader.Next(&frame, &corrupt));
    CHECK(corrupt);
  }
  {
    FrameReader reader;  // larger than kMaxFrame: refused from the length alone
    reader.Feed(Varint(FrameReader::kMaxFrame + 1));
    CHECK_FALSE(reader.Next(&frame, &corrupt));
    CHECK(corrupt);
  }
  {
    FrameReader reader;
    reader.Feed(Varint(~0ull));
    CHECK_FALSE(reader.Next(&frame, &corrupt));
    CHECK(corrupt);
  }
  {
    FrameReader reader;  // exactly kMaxFrame is allowed
    std::string stream;
    AppendFrame(std::string(FrameReader::kMaxFrame, 'z'), &stream);
    reader.Feed(stream);
    REQUIRE(reader.Next(&frame, &corrupt));
    CHECK(frame.size() == FrameReader::kMaxFrame);
    CHECK_FALSE(corrupt);
  }
}

// --- clock --------------------------------------------------------------------

TEST_CASE("ISO-8601 with milliseconds, as the Go API prints it", "[clock]") {
  CHECK(FormatIso8601Millis(1663558260131) == "2022-09-19T03:31:00.131Z");
  CHECK(FormatIso8601Millis(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatIso8601Millis(999) == "1970-01-01T00:00:00.999Z");
  CHECK(FormatIso8601Millis(1000) == "1970-01-01T00:00:01.000Z");
  CHECK(FormatIso8601Millis(1672531199999) == "2022-12-31T23:59:59.999Z");
  CHECK(FormatIso8601Millis(951782400000) == "2000-02-29T00:00:00.000Z");
  CHECK(FormatIso8601Millis(1709164800000) == "2024-02-29T00:00:00.000Z");
  CHECK(FormatIso8601Millis(2147483648000) == "2038-01-19T03:14:08.000Z");  // past 32-bit time_t
  CHECK(FormatIso8601Millis(253402300799999) == "9999-12-31T23:59:59.999Z");
  // Before 1970 the milliseconds count forward from the earlier second.
  CHECK(FormatIso8601Millis(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(FormatIso8601Millis(-1000) == "1969-12-31T23:59:59.000Z");
  CHECK(FormatIso8601Millis(-1001) == "1969-12-31T23:59:58.999Z");
  // Hostile stored values format to something rather than crash.
  CHECK_FALSE(FormatIso8601Millis(std::numeric_limits<int64_t>::max()).empty());
  CHECK_FALSE(FormatIso8601Millis(std::numeric_limits<int64_t>::min()).empty());
}

TEST_CASE("NowMillis is Unix time in milliseconds", "[clock]") {
  int64_t now = NowMillis();
  CHECK(now > 1663558260131);  // after the Go API's example date
  CHECK(now < 4102444800000);  // before 2100
  CHECK(FormatIso8601Millis(now).size() == 24);
}

// --- metrics ------------------------------------------------------------------

TEST_CASE("metrics render in the Prometheus text format", "[metrics]") {
  MetricsRegistry registry;
  registry.GetCounter("requests_total", "Requests.", "status=\"200\"")->Add(3);
  registry.GetGauge("links", "Links.")->Set(7);
  registry.AddCallbackGauge("lag", "Lag.", [] { return 1.5; });
  auto* h = registry.GetHistogram("latency_seconds", "Latency.", "", {0.1, 1});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(5);
  std::string text = registry.Render();
  CHECK(text ==
        "# HELP lag Lag.\n"
        "# TYPE lag gauge\n"
        "lag 1.5\n"
        "# HELP latency_seconds Latency.\n"
        "# TYPE latency_seconds histogram\n"
        "latency_seconds_bucket{le=\"0.1\"} 1\n"
        "latency_seconds_bucket{le=\"1\"} 2\n"
        "latency_seconds_bucket{le=\"+Inf\"} 3\n"
        "latency_seconds_sum 5.55\n"
        "latency_seconds_count 3\n"
        "# HELP links Links.\n"
        "# TYPE links gauge\n"
        "links 7\n"
        "# HELP requests_total Requests.\n"
        "# TYPE requests_total counter\n"
        "requests_total{status=\"200\"} 3\n");
}

TEST_CASE("metrics: one series per name and labels, read when rendered", "[metrics]") {
  MetricsRegistry registry;
  Counter* ok = registry.GetCounter("hits_total", "Hits.", "code=\"200\"");
  Counter* missing = registry.GetCounter("hits_total", "Hits.", "code=\"404\"");
  CHECK(ok != missing);
  CHECK(registry.GetCounter("hits_total", "Hits.", "code=\"200\"") == ok);
  ok->Add();
  ok->Add(2);
  missing->Add();
  Gauge* depth = registry.GetGauge("depth", "Depth.");
  depth->Set(10);
  depth->Add(-15);
  double lag = 0.25;
  registry.AddCallbackGauge("lag_seconds", "Lag.", [&] { return lag; });

  std::string text = registry.Render();
  CHECK(text.find("# TYPE hits_total counter\n") != std::string::npos);
  CHECK(text.find("hits_total{code=\"200\"} 3\nhits_total{code=\"404\"} 1\n") != std::string::npos);
  CHECK(text.find("depth -5\n") != std::string::npos);
  CHECK(text.find("lag_seconds 0.25\n") != std::string::npos);
  lag = 2;
  CHECK(registry.Render().find("lag_seconds 2\n") != std::string::npos);
  // Each family's HELP and TYPE come once.
  std::string again = registry.Render();
  size_t first = again.find("# TYPE hits_total");
  CHECK(again.find("# TYPE hits_total", first + 1) == std::string::npos);
}

TEST_CASE("histograms: buckets are cumulative and a bound includes itself", "[metrics]") {
  MetricsRegistry registry;
  auto* h = registry.GetHistogram("size_bytes", "Sizes.", "route=\"/x\"", {1, 10, 100});
  for (double v : {0.0, 1.0, 1.5, 10.0, 99.0, 100.0, 1000.0}) h->Observe(v);
  CHECK(h->CumulativeCounts() == std::vector<uint64_t>{2, 4, 6, 7});
  CHECK(h->sum() == Approx(1211.5));
  std::string text = registry.Render();
  CHECK(text.find("size_bytes_bucket{route=\"/x\",le=\"1\"} 2\n"
                  "size_bytes_bucket{route=\"/x\",le=\"10\"} 4\n"
                  "size_bytes_bucket{route=\"/x\",le=\"100\"} 6\n"
                  "size_bytes_bucket{route=\"/x\",le=\"+Inf\"} 7\n"
                  "size_bytes_sum{route=\"/x\"} 1211.5\n"
                  "size_bytes_count{route=\"/x\"} 7\n") != std::string::npos);

  // The default latency buckets print as written, the way client libraries
  // print them, so dashboards can match le="0.001".
  auto* latency = registry.GetHistogram("latency_seconds", "Latency.");
  latency->Observe(0.0003);
  text = registry.Render();
  CHECK(text.find("latency_seconds_bucket{le=\"5e-05\"} 0\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{le=\"0.0005\"} 1\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{le=\"0.001\"} 1\n") != std::string::npos);
  CHECK(text.find("latency_seconds_sum 0.0003\n") != std::string::npos);
}

TEST_CASE("special values print as the text format spells them", "[metrics]") {
  MetricsRegistry registry;
  registry.AddCallbackGauge("a_nan", "NaN.", [] { return std::nan(""); });
  registry.AddCallbackGauge("b_inf", "Inf.", [] { return HUGE_VAL; });
  registry.AddCallbackGauge("c_neg_inf", "-Inf.", [] { return -HUGE_VAL; });
  registry.AddCallbackGauge("d_big", "Big.", [] { return 1e300; });
  registry.AddCallbackGauge("e_third", "Third.", [] { return 1.0 / 3; });
  registry.AddCallbackGauge("f_million", "Million.", [] { return 1e6; });
  registry.AddCallbackGauge("g_below", "Below a million.", [] { return 123456.5; });
  registry.AddCallbackGauge("h_zero", "Zero.", [] { return 0; });
  registry.AddCallbackGauge("i_negative", "Negative.", [] { return -2.5; });
  std::string text = registry.Render();
  CHECK(text.find("a_nan NaN\n") != std::string::npos);
  CHECK(text.find("b_inf +Inf\n") != std::string::npos);
  CHECK(text.find("c_neg_inf -Inf\n") != std::string::npos);
  CHECK(text.find("d_big 1e+300\n") != std::string::npos);
  CHECK(text.find("e_third 0.3333333333333333\n") != std::string::npos);  // all 16 digits kept
  CHECK(text.find("f_million 1e+06\n") != std::string::npos);  // as Go's client prints it
  CHECK(text.find("g_below 123456.5\n") != std::string::npos);
  CHECK(text.find("h_zero 0\n") != std::string::npos);
  CHECK(text.find("i_negative -2.5\n") != std::string::npos);
}

TEST_CASE("label values are escaped for the text format", "[metrics]") {
  CHECK(EscapeLabelValue("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  CHECK(EscapeLabelValue("plain /api/v1/urls") == "plain /api/v1/urls");
  CHECK(EscapeLabelValue("") == "");
}

TEST_CASE("metrics may be updated from many threads without losing counts",
          "[metrics][concurrent]") {
  MetricsRegistry registry;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&registry] {
      Counter* c = registry.GetCounter("c_total", "C.");
      Histogram* h = registry.GetHistogram("h", "H.", "", {1});
      for (int i = 0; i < 10000; ++i) {
        c->Add();
        h->Observe(0.5);
        if (i % 1000 == 0) (void)registry.Render();
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(registry.GetCounter("c_total", "C.")->value() == 40000);
  CHECK(registry.GetHistogram("h", "H.", "", {1})->CumulativeCounts().back() == 40000);
}

}  // namespace shortlink
