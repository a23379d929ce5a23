// GeoLocator over Debian's tor-geoipdb: two text files of country ranges,
// "LOW,HIGH,CC" per line (IPv4 as decimal integers, IPv6 as addresses),
// ascending and disjoint, '#' comments.
//
// Layout: each family becomes one sorted array of segment starts and a
// parallel array of two-letter codes. A segment runs from its start to the
// next one's; the gaps between the file's ranges are segments of "ZZ", and
// neighbours of one country are merged, so every address falls in exactly
// one segment and a lookup is "the last start <= address". A table of
// 65,536 entries, one per value of the top 16 address bits, gives the first
// and last segment that prefix can land in, so the binary search runs over
// a handful of neighbours instead of ~390k starts (4 steps, not 19, on the
// IPv4 file; most of its /16 prefixes hold a single segment).
//
// IPv6 starts keep only their top 64 bits in the searched array: all but
// ~4% of the file's IPv6 boundaries fall on a /64, so the low halves that
// are not zero sit in a small side table, read only when an address shares
// its /64 with a segment start. That halves the array a search walks
// through (2.4 MB instead of 4.8 MB) and the memory.
//
// Why not a trie or the MMDB format: the arrays take 6 bytes per IPv4
// segment and ~10 per IPv6 one, load with one pass over the text, and need
// no code beyond a binary search.
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <vector>

#include "classify/geo.h"
#include "geo_address.h"

namespace shortlink::classify {
namespace {

using CountryCode = std::array<char, 2>;
constexpr CountryCode kUnknownCountry{'Z', 'Z'};

// A start's searched part (all of an IPv4 address, the top half of an IPv6
// one) and the rest.
uint32_t HighOf(uint32_t key) { return key; }
uint64_t HighOf(const Ipv6Key& key) { return key.hi; }
uint64_t LowOf(uint32_t) { return 0; }
uint64_t LowOf(const Ipv6Key& key) { return key.lo; }
uint32_t PrefixOf(uint32_t high) { return high >> 16; }
uint32_t PrefixOf(uint64_t high) { return static_cast<uint32_t>(high >> 48); }

// ++key; true when it wrapped past the family's last address.
bool Increment(uint32_t* key) { return ++*key == 0; }
bool Increment(Ipv6Key* key) { return ++key->lo == 0 && ++key->hi == 0; }

template <typename Key>
class SegmentTable {
 public:
  using High = decltype(HighOf(Key{}));
  static constexpr uint32_t kPrefixes = 1u << 16;

  // Ranges arrive in the file's order; false when one is inverted, overlaps
  // or comes before the previous one.
  bool Add(const Key& low, const Key& high, CountryCode country) {
    if (high < low || ended_ || low < next_) return false;
    if (next_ < low) Append(next_, kUnknownCountry);
    Append(low, country);
    next_ = high;
    ended_ = Increment(&next_);
    return true;
  }

  // After the last Add: the tail gap, the split of the starts, and the
  // prefix table.
  void Finish() {
    if (!ended_) Append(next_, kUnknownCountry);
    codes_.shrink_to_fit();
    highs_.reserve(starts_.size());
    for (size_t i = 0; i < starts_.size(); ++i) {
      highs_.push_back(HighOf(starts_[i]));
      if (LowOf(starts_[i]) != 0) {
        lows_.push_back({static_cast<uint32_t>(i), LowOf(starts_[i])});
        codes_[i][0] |= kHasLow;
      }
    }
    lows_.shrink_to_fit();
    std::vector<Key>().swap(starts_);

    first_segment_.resize(kPrefixes + 1);
    size_t segment = 0;
    for (uint32_t prefix = 0; prefix < kPrefixes; ++prefix) {
      // The first address of the prefix: its low half is zero, so the last
      // start whose high part is at most the prefix's contains it.
      const High first = static_cast<High>(High{prefix} << (sizeof(High) * 8 - 16));
      while (segment + 1 < highs_.size() && highs_[segment + 1] <= first) ++segment;
      first_segment_[prefix] = static_cast<uint32_t>(segment);
    }
    first_segment_[kPrefixes] = static_cast<uint32_t>(highs_.size() - 1);
  }

  CountryCode Find(const Key& key) const {
    const High high = HighOf(key);
    const uint32_t prefix = PrefixOf(high);
    // The last start <= high among the prefix's segments, the first of
    // which starts at or below it. Branch-free halving (the compiler emits a
    // conditional move): std::upper_bound's branch on random addresses
    // mispredicts every other step, which cost IPv6 lookups ~30%.
    const High* base = highs_.data() + first_segment_[prefix];
    for (size_t n = first_segment_[prefix + 1] - first_segment_[prefix] + 1; n > 1;) {
      const size_t half = n / 2;
      base = base[half] <= high ? base + half : base;
      n -= half;
    }
    size_t segment = base - highs_.data();
    // Starts in the key's own /64 may lie above it: step back over them.
    // Never below the prefix's first segment, which starts at or below it.
    while (highs_[segment] == high && HasLow(segment) && LowAt(segment) > LowOf(key)) --segment;
    CountryCode code = codes_[segment];
    code[0] &= ~kHasLow;
    return code;
  }

 private:
  struct Low {
    uint32_t segment;
    uint64_t low;
  };

  void Append(const Key& start, CountryCode country) {
    if (!codes_.empty() && codes_.back()[0] == country[0] && codes_.back()[1] == country[1]) {
      return;
    }
    starts_.push_back(start);
    codes_.push_back(country);
  }

  // Set in a code's first letter (ASCII: its top bit is free) when the
  // segment's start has a low part in lows_: most lookups that share a /64
  // with a start then skip the search of lows_.
  static constexpr char kHasLow = static_cast<char>(0x80);
  bool HasLow(size_t segment) const { return (codes_[segment][0] & kHasLow) != 0; }

  uint64_t LowAt(size_t segment) const {
    const auto it = std::lower_bound(lows_.begin(), lows_.end(), segment,
                                     [](const Low& l, size_t s) { return l.segment < s; });
    return it != lows_.end() && it->segment == segment ? it->low : 0;
  }

  std::vector<Key> starts_;  // while loading; split into highs_ and lows_ by Finish
  std::vector<High> highs_;
  std::vector<Low> lows_;  // the segments whose start's low part is not zero, ascending
  std::vector<CountryCode> codes_;
  std::vector<uint32_t> first_segment_;  // per top-16-bit prefix; one more at the end
  Key next_{};                           // the first address no range covered yet
  bool ended_ = false;                   // a range ended at the family's last address
};

class TorGeoLocator final : public GeoLocator {
 public:
  GeoFacts Locate(std::string_view address) const override {
    const ClientAddress client = ReadClientAddress(address);
    CountryCode country = kUnknownCountry;
    if (client.kind == ClientAddress::Kind::kV4) {
      country = v4_.Find(client.v4);
    } else if (client.kind == ClientAddress::Kind::kV6) {
      country = v6_.Find(client.v6);
    }
    GeoFacts facts;
    facts.country.assign(country.data(), country.size());
    return facts;
  }

  SegmentTable<uint32_t> v4_;
  SegmentTable<Ipv6Key> v6_;
};

// One read of the whole file into a buffer of its size (no growth copies:
// the files are 9 and 16 MB, read at every redirector start).
Result<std::string> ReadWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return MakeError(ErrorCode::kNotFound, "cannot open " + path + ": " + std::strerror(errno));
  }
  std::string text;
  struct stat info;
  bool failed = ::fstat(fd, &info) != 0;
  if (!failed) {
    text.resize(static_cast<size_t>(info.st_size));
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t got = ::read(fd, text.data() + done, text.size() - done);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) failed = true;
      if (got <= 0) break;  // 0: the file shrank since fstat; what was read is the file
      done += static_cast<size_t>(got);
    }
    text.resize(done);
  }
  const int saved_errno = errno;
  ::close(fd);
  if (failed) {
    return MakeError(ErrorCode::kInternal,
                     "cannot read " + path + ": " + std::strerror(saved_errno));
  }
  return text;
}

bool ParseKey(std::string_view field, uint32_t* key) {
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), *key);
  return ec == std::errc() && end == field.data() + field.size();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 4291 text form: up to eight groups of 1-4 hex digits and at most one
// "::". inet_pton took a third of the load time (with the copy and strlen a
// NUL-terminated argument needs), so the usual form is read here and only
// the rare one with a trailing dotted IPv4 part goes to inet_pton.
bool ParseKey(std::string_view field, Ipv6Key* key) {
  uint16_t groups[8];
  int count = 0;
  int gap = -1;  // the index of the group "::" stands before
  size_t i = 0;
  if (field.size() >= 2 && field[0] == ':' && field[1] == ':') {
    gap = 0;
    i = 2;
  }
  while (i < field.size()) {
    uint32_t value = 0;
    size_t digits = 0;
    for (int h; i < field.size() && digits <= 4 && (h = HexValue(field[i])) >= 0; ++i, ++digits) {
      value = value << 4 | static_cast<uint32_t>(h);
    }
    if (i < field.size() && field[i] == '.') {
      char text[INET6_ADDRSTRLEN];
      unsigned char bytes[16];
      if (field.size() >= sizeof text) return false;
      std::memcpy(text, field.data(), field.size());
      text[field.size()] = '\0';
      if (inet_pton(AF_INET6, text, bytes) != 1) return false;
      key->hi = key->lo = 0;
      for (int b = 0; b < 8; ++b) key->hi = key->hi << 8 | bytes[b];
      for (int b = 8; b < 16; ++b) key->lo = key->lo << 8 | bytes[b];
      return true;
    }
    if (digits == 0 || digits > 4 || count == 8) return false;
    groups[count++] = static_cast<uint16_t>(value);
    if (i == field.size()) break;
    if (field[i++] != ':' || i == field.size()) return false;  // a lone trailing ':'
    if (field[i] == ':') {
      if (gap >= 0) return false;
      gap = count;
      ++i;
    }
  }
  if (gap < 0 ? count != 8 : count > 7) return false;
  uint16_t full[8] = {};
  const int tail = gap < 0 ? 0 : count - gap;
  const int head = count - tail;
  for (int g = 0; g < head; ++g) full[g] = groups[g];
  for (int g = 0; g < tail; ++g) full[8 - tail + g] = groups[head + g];
  key->hi = key->lo = 0;
  for (int g = 0; g < 4; ++g) key->hi = key->hi << 16 | full[g];
  for (int g = 4; g < 8; ++g) key->lo = key->lo << 16 | full[g];
  return true;
}

// "??" (Tor's unknown) is "ZZ"; otherwise two ASCII letters, upper-cased.
bool ParseCountry(std::string_view field, CountryCode* country) {
  if (field.size() != 2) return false;
  if (field[0] == '?' && field[1] == '?') {
    *country = kUnknownCountry;
    return true;
  }
  for (int i = 0; i < 2; ++i) {
    const char c = field[i];
    if (c >= 'a' && c <= 'z') {
      (*country)[i] = static_cast<char>(c - 'a' + 'A');
    } else if (c >= 'A' && c <= 'Z') {
      (*country)[i] = c;
    } else {
      return false;
    }
  }
  return true;
}

template <typename Key>
Status LoadRanges(const std::string& path, SegmentTable<Key>* table) {
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.error();
  std::string_view rest = *text;
  size_t line_number = 0;
  size_t ranges = 0;
  while (!rest.empty()) {
    ++line_number;
    const size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;

    const auto bad = [&](const char* what) {
      return MakeError(ErrorCode::kInvalidArgument,
                       path + " line " + std::to_string(line_number) + ": " + what);
    };
    const size_t comma1 = line.find(',');
    const size_t comma2 = comma1 == std::string_view::npos ? comma1 : line.find(',', comma1 + 1);
    if (comma2 == std::string_view::npos) return bad("expected LOW,HIGH,COUNTRY");
    Key low, high;
    CountryCode country;
    if (!ParseKey(line.substr(0, comma1), &low) ||
        !ParseKey(line.substr(comma1 + 1, comma2 - comma1 - 1), &high)) {
      return bad("an address does not parse");
    }
    if (!ParseCountry(line.substr(comma2 + 1), &country)) {
      return bad("the country is not two letters or ??");
    }
    if (!table->Add(low, high, country)) {
      return bad("the range is inverted or not above the one before it");
    }
    ++ranges;
  }
  if (ranges == 0) return MakeError(ErrorCode::kInvalidArgument, path + " holds no ranges");
  table->Finish();
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<GeoLocator>> GeoLocator::OpenTorGeoip(const std::string& v4_path,
                                                             const std::string& v6_path) {
  auto locator = std::make_unique<TorGeoLocator>();
  if (Status s = LoadRanges(v4_path, &locator->v4_); !s.ok()) return s.error();
  if (Status s = LoadRanges(v6_path, &locator->v6_); !s.ok()) return s.error();
  return std::unique_ptr<GeoLocator>(std::move(locator));
}

}  // namespace shortlink::classify
