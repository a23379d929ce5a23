// GeoLocator against the real tor-geoipdb files (every range of both files
// checked at its ends and middle, so a loader bug anywhere shows) and
// against a small MaxMind database the test writes itself with
// write_test_mmdb.pl (Perl's MaxMind::DB::Writer).
#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "classify/geo.h"
#include "support/temp_dir.h"

namespace shortlink::classify {
namespace {

using shortlink::testing::TempDir;

std::string V4(uint32_t address) {
  return {static_cast<char>(address >> 24), static_cast<char>(address >> 16),
          static_cast<char>(address >> 8), static_cast<char>(address)};
}

std::string Ip(const std::string& text) {
  unsigned char bytes[16];
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return std::string(bytes, bytes + 4);
  REQUIRE(inet_pton(AF_INET6, text.c_str(), bytes) == 1);
  return std::string(bytes, bytes + 16);
}

// A 16-byte address as a number, and back.
unsigned __int128 V6Number(const std::string& bytes) {
  unsigned __int128 n = 0;
  for (unsigned char b : bytes) n = n << 8 | b;
  return n;
}
std::string V6(unsigned __int128 n) {
  std::string bytes(16, '\0');
  for (int i = 15; i >= 0; --i, n >>= 8) bytes[i] = static_cast<char>(n & 0xff);
  return bytes;
}

std::string Country(const GeoLocator& locator, const std::string& address) {
  return locator.Locate(address).country;
}

const GeoLocator& Tor() {
  static const std::unique_ptr<GeoLocator> locator = [] {
    auto opened = GeoLocator::OpenTorGeoip();
    REQUIRE(opened.ok());
    return std::move(opened).value();
  }();
  return *locator;
}

struct FileRange {
  std::string low, high;  // address bytes
  std::string country;    // as the file says, "??" read as "ZZ"
};

// The file's own lines, read here independently of the loader.
std::vector<FileRange> ReadTorFile(const std::string& path, bool v6) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::vector<FileRange> ranges;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream fields(line);
    std::string low, high, country;
    std::getline(fields, low, ',');
    std::getline(fields, high, ',');
    std::getline(fields, country);
    if (country == "??") country = "ZZ";
    if (v6) {
      ranges.push_back({Ip(low), Ip(high), country});
    } else {
      ranges.push_back({V4(std::stoul(low)), V4(std::stoul(high)), country});
    }
  }
  return ranges;
}

// Every range's low, high and middle address must answer the range's
// country, and the address after a range that no next range starts at must
// answer "ZZ". Mismatches are counted rather than asserted one by one
// (about two million checks); the first is shown.
void CheckEveryRange(const std::vector<FileRange>& ranges) {
  size_t mismatches = 0;
  std::string first;
  const auto check = [&](const std::string& address, const std::string& want, size_t line) {
    const std::string got = Country(Tor(), address);
    if (got == want) return;
    if (mismatches++ == 0)
      first = "range " + std::to_string(line) + ": got " + got + " want " + want;
  };
  for (size_t i = 0; i < ranges.size(); ++i) {
    const FileRange& r = ranges[i];
    const unsigned __int128 low = V6Number(r.low), high = V6Number(r.high);
    const auto as_bytes = [&](unsigned __int128 n) { return r.low.size() == 4 ? V4(n) : V6(n); };
    check(r.low, r.country, i);
    check(r.high, r.country, i);
    check(as_bytes(low + (high - low) / 2), r.country, i);
    const bool last_address =
        r.low.size() == 4 ? high == 0xffffffffu : high == ~(unsigned __int128)0;
    if (!last_address && (i + 1 == ranges.size() || V6Number(ranges[i + 1].low) != high + 1)) {
      check(as_bytes(high + 1), "ZZ", i);
    }
  }
  INFO(first);
  CHECK(mismatches == 0);
}

TEST_CASE(
    "Tor geoip: every IPv4 range of the file answers its country at both ends and its middle") {
  const auto ranges = ReadTorFile(GeoLocator::kTorGeoip4, false);
  REQUIRE(ranges.size() > 100'000);
  CheckEveryRange(ranges);
  // A few on their own, picked across the file, for a readable failure.
  for (size_t i = 0; i < ranges.size(); i += ranges.size() / 7) {
    INFO("range " << i);
    CHECK(Country(Tor(), ranges[i].low) == ranges[i].country);
    CHECK(Country(Tor(), ranges[i].high) == ranges[i].country);
  }
}

TEST_CASE(
    "Tor geoip: every IPv6 range of the file answers its country at both ends and its middle") {
  const auto ranges = ReadTorFile(GeoLocator::kTorGeoip6, true);
  REQUIRE(ranges.size() > 100'000);
  CheckEveryRange(ranges);
}

// What the installed file (IPFire data of 2026-06-25) says of well-known
// networks. A tor-geoipdb update that moves one of these fails here: check
// the file's line before changing the expectation.
TEST_CASE("Tor geoip: well-known addresses") {
  CHECK(Country(Tor(), Ip("8.8.8.8")) == "US");       // Google Public DNS
  CHECK(Country(Tor(), Ip("1.1.1.1")) == "AU");       // APNIC's range, lent to Cloudflare
  CHECK(Country(Tor(), Ip("193.0.14.129")) == "NL");  // k.root-servers.net, RIPE NCC
  CHECK(Country(Tor(), Ip("202.12.27.33")) == "JP");  // m.root-servers.net, WIDE
  CHECK(Country(Tor(), Ip("81.2.69.160")) == "GB");
  CHECK(Country(Tor(), Ip("2001:4860:4860::8888")) == "US");
  CHECK(Country(Tor(), Ip("2001:7fd::1")) == "NL");  // k.root-servers.net
  CHECK(Country(Tor(), Ip("2400:cb00::1")) == "US");
  CHECK(Tor().Locate(Ip("8.8.8.8")).city.empty());  // Tor's files have no cities
}

TEST_CASE("Tor geoip: an IPv4-mapped IPv6 address is looked up as IPv4") {
  CHECK(Country(Tor(), Ip("::ffff:8.8.8.8")) == "US");
  CHECK(Country(Tor(), Ip("::ffff:202.12.27.33")) == "JP");
  CHECK(Country(Tor(), Ip("::ffff:10.1.2.3")) == "ZZ");
  // Not mapped: ::8.8.8.8 (the old IPv4-compatible form) is an IPv6 address.
  CHECK(Country(Tor(), Ip("::8.8.8.8")) == "ZZ");
}

TEST_CASE("Tor geoip: private loopback link-local and multicast addresses are ZZ") {
  for (const char* address :
       {"10.0.0.1", "127.0.0.1", "192.168.1.1", "172.16.5.4", "172.31.255.255", "169.254.1.1",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::", "::1", "fe80::1", "fd00::1",
        "fc00::1", "ff02::1"}) {
    INFO(address);
    CHECK(Country(Tor(), Ip(address)) == "ZZ");
  }
  // Just outside those blocks: placed.
  CHECK(Country(Tor(), Ip("172.32.0.1")) != "ZZ");
  CHECK(Country(Tor(), Ip("11.0.0.1")) != "ZZ");
}

TEST_CASE("Tor geoip: an address of any other length than 4 or 16 bytes is ZZ") {
  for (size_t length : {0, 1, 3, 5, 8, 15, 17, 32, 1000}) {
    INFO(length);
    const GeoFacts facts = Tor().Locate(std::string(length, '\x08'));
    CHECK(facts.country == "ZZ");
    CHECK(facts.city.empty());
  }
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST_CASE("Tor geoip: small files: gaps are ZZ and neighbours keep their own country") {
  TempDir dir;
  WriteFile(dir.sub("v4"),
            "# comment\n"
            "\n"
            "16777216,16777471,AU\r\n"      // 1.0.0.0/24
            "16777472,16777727,cn\n"        // 1.0.1.0/24, lower case
            "16777728,16777983,CN\n"        // 1.0.2.0/24: merged with the one before
            "16778240,16778495,??\n"        // 1.0.4.0/24, after a gap
            "3758096128,3758096383,JP\n");  // 223.255.255.0/24: the last placed /24
  WriteFile(dir.sub("v6"),
            "2001:db8::,2001:db8::ffff,DE\n"
            "2001:db8::1:0,2001:db8:0:0:ffff:ffff:ffff:ffff,FR\n"
            "2001:DB8:0:2:0:0:0:0,2001:db8:0:2::FFFF,IT\n"  // eight groups, upper case
            "2001:db8:0:2::1:0,2001:db8:0:2:0:0:1:ffff,ES\n"
            "2002::c000:200,2002::192.0.2.255,NL\n"                  // a dotted IPv4 tail
            "ffff::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,US\n");  // to the family's end
  auto opened = GeoLocator::OpenTorGeoip(dir.sub("v4"), dir.sub("v6"));
  REQUIRE(opened.ok());
  const GeoLocator& geo = **opened;
  CHECK(Country(geo, Ip("0.255.255.255")) == "ZZ");
  CHECK(Country(geo, Ip("1.0.0.0")) == "AU");
  CHECK(Country(geo, Ip("1.0.0.255")) == "AU");
  CHECK(Country(geo, Ip("1.0.1.0")) == "CN");
  CHECK(Country(geo, Ip("1.0.2.255")) == "CN");
  CHECK(Country(geo, Ip("1.0.3.0")) == "ZZ");
  CHECK(Country(geo, Ip("1.0.4.7")) == "ZZ");
  CHECK(Country(geo, Ip("1.0.5.0")) == "ZZ");
  CHECK(Country(geo, Ip("223.255.254.255")) == "ZZ");
  CHECK(Country(geo, Ip("223.255.255.0")) == "JP");
  CHECK(Country(geo, Ip("223.255.255.255")) == "JP");
  CHECK(Country(geo, Ip("2001:db8::")) == "DE");
  CHECK(Country(geo, Ip("2001:db8::ffff")) == "DE");
  CHECK(Country(geo, Ip("2001:db8::1:0")) == "FR");
  CHECK(Country(geo, Ip("2001:db8::ffff:ffff:ffff:ffff")) == "FR");
  CHECK(Country(geo, Ip("2001:db8:0:1::")) == "ZZ");
  CHECK(Country(geo, Ip("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")) == "ZZ");
  CHECK(Country(geo, Ip("2001:db8:0:2::")) == "IT");
  CHECK(Country(geo, Ip("2001:db8:0:2::ffff")) == "IT");
  CHECK(Country(geo, Ip("2001:db8:0:2::1:0")) == "ES");
  CHECK(Country(geo, Ip("2001:db8:0:2::1:ffff")) == "ES");
  CHECK(Country(geo, Ip("2001:db8:0:2::2:0")) == "ZZ");
  CHECK(Country(geo, Ip("2002::c000:1ff")) == "ZZ");
  CHECK(Country(geo, Ip("2002::c000:200")) == "NL");
  CHECK(Country(geo, Ip("2002::c000:2ff")) == "NL");
  CHECK(Country(geo, Ip("2002::c000:300")) == "ZZ");
  CHECK(Country(geo, Ip("ff00::1")) == "ZZ");  // multicast, though the file says US
}

TEST_CASE("Tor geoip: a missing file is an error naming it") {
  TempDir dir;
  WriteFile(dir.sub("v4"), "16777216,16777471,AU\n");
  WriteFile(dir.sub("v6"), "2001:db8::,2001:db8::ffff,DE\n");
  auto no_v4 = GeoLocator::OpenTorGeoip(dir.sub("absent4"), dir.sub("v6"));
  REQUIRE_FALSE(no_v4.ok());
  CHECK_THAT(no_v4.error().message, Catch::Contains(dir.sub("absent4")));
  auto no_v6 = GeoLocator::OpenTorGeoip(dir.sub("v4"), dir.sub("absent6"));
  REQUIRE_FALSE(no_v6.ok());
  CHECK_THAT(no_v6.error().message, Catch::Contains(dir.sub("absent6")));
}

TEST_CASE("Tor geoip: a malformed file is an error naming it and the line") {
  TempDir dir;
  WriteFile(dir.sub("v6"), "2001:db8::,2001:db8::ffff,DE\n");
  const std::vector<std::pair<std::string, std::string>> files = {
      {"# c\n16777216,16777471,AU\nnot a line\n", "line 3"},
      {"16777216,16777471\n", "line 1"},
      {"16777216,16777471,AUS\n", "line 1"},
      {"16777216,16777471,A1\n", "line 1"},
      {"16777216,99999999999,AU\n", "line 1"},
      {"-1,16777471,AU\n", "line 1"},
      {"16777471,16777216,AU\n", "line 1"},                        // inverted
      {"16777216,16777471,AU\n16777300,16777500,CN\n", "line 2"},  // overlapping
      {"16777472,16777727,CN\n16777216,16777471,AU\n", "line 2"},  // descending
      {"# only comments\n", "no ranges"},
      {"", "no ranges"},
  };
  for (const auto& [text, where] : files) {
    INFO(text);
    WriteFile(dir.sub("v4"), text);
    auto opened = GeoLocator::OpenTorGeoip(dir.sub("v4"), dir.sub("v6"));
    REQUIRE_FALSE(opened.ok());
    CHECK_THAT(opened.error().message, Catch::Contains(dir.sub("v4")) && Catch::Contains(where));
  }
  WriteFile(dir.sub("v4"), "16777216,16777471,AU\n");
  for (const char* low :
       {"2001:db8::fffff", "2001:db8:::1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3",
        ":1::", "1:", "2001:db8::g", "::1.2.3", "", "1:2:3:4:5:6:7:8::"}) {
    INFO(low);
    WriteFile(dir.sub("v6"), "# c\n" + std::string(low) + ",2001:db8::ffff,DE\n");
    auto opened = GeoLocator::OpenTorGeoip(dir.sub("v4"), dir.sub("v6"));
    REQUIRE_FALSE(opened.ok());
    CHECK_THAT(opened.error().message, Catch::Contains(dir.sub("v6")) && Catch::Contains("line 2"));
  }
  auto directory = GeoLocator::OpenTorGeoip(dir.path(), dir.sub("v6"));
  REQUIRE_FALSE(directory.ok());
  CHECK_THAT(directory.error().message, Catch::Contains(dir.path()));
}

// Writes the test database into `dir` (IP version 4 or 6) and opens it.
std::unique_ptr<GeoLocator> WriteAndOpenMaxMind(const TempDir& dir, int ip_version) {
  const std::string script =
      (std::filesystem::path(__FILE__).parent_path() / "write_test_mmdb.pl").string();
  const std::string path = dir.sub("test" + std::to_string(ip_version) + ".mmdb");
  const std::string command = "perl '" + script + "' '" + path + "' " + std::to_string(ip_version);
  REQUIRE(std::system(command.c_str()) == 0);
  auto opened = GeoLocator::OpenMaxMind(path);
  INFO((opened.ok() ? std::string() : opened.error().message));
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

TEST_CASE("MaxMind: country and city of the networks the database holds") {
  TempDir dir;
  const auto geo = WriteAndOpenMaxMind(dir, 6);
  struct Want {
    const char* address;
    const char* country;
    const char* city;
  };
  for (const Want& want : std::initializer_list<Want>{
           {"81.2.69.160", "GB", "London"},
           {"81.2.69.0", "GB", "London"},
           {"89.160.20.128", "SE", "Link\xc3\xb6ping"},
           {"200.160.15.255", "BR", "S\xc3\xa3o Paulo"},
           {"2a02:8100::1", "DE", "Berlin"},
           {"2a02:8100:ffff::1", "DE", "Berlin"},
           {"1.0.0.1", "AU", ""},  // a country without a city
           {"2001:218::5", "JP", ""},
           {"185.220.100.7", "DE", ""},             // only the registered country
           {"::ffff:81.2.69.160", "GB", "London"},  // mapped: looked up as IPv4
           {"81.2.70.1", "ZZ", ""},                 // next to a network, not in one
           {"8.8.8.8", "ZZ", ""},
           {"2a02:8101::1", "ZZ", ""},
           {"10.0.0.1", "ZZ", ""},
           {"::1", "ZZ", ""},
       }) {
    INFO(want.address);
    const GeoFacts facts = geo->Locate(Ip(want.address));
    CHECK(facts.country == want.country);
    CHECK(facts.city == want.city);
  }
  CHECK(geo->Locate("").country == "ZZ");
  CHECK(geo->Locate(std::string(5, '\x51')).country == "ZZ");
  CHECK(geo->Locate(std::string(17, '\x2a')).country == "ZZ");
}

TEST_CASE("MaxMind: an IPv4-only database answers IPv6 addresses with ZZ") {
  TempDir dir;
  const auto geo = WriteAndOpenMaxMind(dir, 4);
  CHECK(geo->Locate(Ip("81.2.69.160")).city == "London");
  CHECK(geo->Locate(Ip("::ffff:81.2.69.160")).city == "London");
  CHECK(geo->Locate(Ip("2a02:8100::1")).country == "ZZ");
}

TEST_CASE("MaxMind: a missing or corrupt database is an error naming it") {
  TempDir dir;
  auto missing = GeoLocator::OpenMaxMind(dir.sub("absent.mmdb"));
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains(dir.sub("absent.mmdb")));

  WriteFile(dir.sub("garbage.mmdb"), std::string(4096, 'x'));
  auto garbage = GeoLocator::OpenMaxMind(dir.sub("garbage.mmdb"));
  REQUIRE_FALSE(garbage.ok());
  CHECK_THAT(garbage.error().message, Catch::Contains(dir.sub("garbage.mmdb")));

  WriteFile(dir.sub("empty.mmdb"), "");
  auto empty = GeoLocator::OpenMaxMind(dir.sub("empty.mmdb"));
  REQUIRE_FALSE(empty.ok());
  CHECK_THAT(empty.error().message, Catch::Contains(dir.sub("empty.mmdb")));

  // A real database cut in half loses its metadata (kept at the end).
  WriteAndOpenMaxMind(dir, 6);
  std::ifstream in(dir.sub("test6.mmdb"), std::ios::binary);
  const std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  WriteFile(dir.sub("cut.mmdb"), whole.substr(0, whole.size() / 2));
  auto cut = GeoLocator::OpenMaxMind(dir.sub("cut.mmdb"));
  REQUIRE_FALSE(cut.ok());
  CHECK_THAT(cut.error().message, Catch::Contains(dir.sub("cut.mmdb")));

  auto directory = GeoLocator::OpenMaxMind(dir.path());
  CHECK_FALSE(directory.ok());
}

TEST_CASE("GeoLocator: one locator of each kind answers four threads at once", "[concurrent]") {
  TempDir dir;
  const auto maxmind = WriteAndOpenMaxMind(dir, 6);
  const std::string london = Ip("81.2.69.160"), berlin = Ip("2a02:8100::1"), google = Ip("8.8.8.8"),
                    root = Ip("2001:7fd::1");
  Tor();  // opened here: Catch's assertions are not for other threads
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20'000; ++i) {
        wrong[t] += maxmind->Locate(london).city != "London";
        wrong[t] += maxmind->Locate(berlin).city != "Berlin";
        wrong[t] += Tor().Locate(google).country != "US";
        wrong[t] += Tor().Locate(root).country != "NL";
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrong == std::vector<int>(4, 0));
}

}  // namespace
}  // namespace shortlink::classify
