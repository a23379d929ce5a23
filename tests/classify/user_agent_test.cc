// UserAgentClassifier and the uap-core parser under it: uap's own
// conformance files (every case, field by field), a table of real agents
// with the facts analytics reports, the cache and its bounds, and Load's
// errors.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

// uap's whole answer (versions, models), which AgentFacts reduces: the
// conformance files check it. A private header of classify/src.
#include "../../classify/src/user_agent_parser.h"
#include "classify/user_agent.h"
#include "support/temp_dir.h"

namespace shortlink::classify {
namespace {

using shortlink::testing::TempDir;

const std::string kUapData = "/usr/share/uap-core/";

// Compiled once for the three conformance tests (~0.5 s).
const UserAgentParser& Uap() {
  static const std::unique_ptr<UserAgentParser> parser = [] {
    auto regexes = ReadUapRegexes(UserAgentClassifier::kDefaultRegexes);
    if (!regexes) throw std::runtime_error(regexes.error().message);
    auto compiled = UserAgentParser::Compile(*regexes);
    if (!compiled) throw std::runtime_error(compiled.error().message);
    return std::move(*compiled);
  }();
  return *parser;
}

// A test case's field; null and absent are uap's undefined, our "".
std::string Field(const YamlRecord& record, const char* key) {
  auto it = record.find(key);
  return it == record.end() || !it->second ? std::string() : *it->second;
}

struct Conformance {
  size_t cases = 0;
  std::vector<std::string> failures;  // "file: agent: got ... want ..."
};

// Runs `check` (empty when the case passes, else what differs) on every
// case of uap's test files, as uap's own test.js does.
Conformance RunConformance(const std::vector<std::string>& files,
                           const std::function<std::string(const YamlRecord&)>& check) {
  Conformance run;
  for (const std::string& file : files) {
    auto lists = ReadYamlRecordLists(kUapData + file);
    REQUIRE(lists.ok());
    REQUIRE(lists->count("test_cases") == 1);
    for (const YamlRecord& record : lists->at("test_cases")) {
      ++run.cases;
      std::string why = check(record);
      if (!why.empty()) {
        run.failures.push_back(file + ": " + Field(record, "user_agent_string") + ": " + why);
      }
    }
  }
  return run;
}

std::string FirstFailures(const Conformance& run) {
  std::string text;
  for (size_t i = 0; i < run.failures.size() && i < 10; ++i) text += run.failures[i] + "\n";
  return text;
}

// uap-core 0.16.0 (Debian 12): every case passes, as with uap's reference
// implementations. A later uap-core may add cases, never a failure.
constexpr size_t kKnownFailures = 0;

TEST_CASE("UserAgentParser passes uap-core's user agent conformance files") {
  Conformance run = RunConformance(
      {"test_resources/firefox_user_agent_strings.yaml", "tests/test_ua.yaml",
       "test_resources/pgts_browser_list.yaml", "test_resources/opera_mini_user_agent_strings.yaml",
       "test_resources/podcasting_user_agent_strings.yaml"},
      [](const YamlRecord& record) -> std::string {
        UapAgent got = Uap().ParseAgent(Field(record, "user_agent_string"));
        std::string want = Field(record, "family") + "|" + Field(record, "major") + "|" +
                           Field(record, "minor") + "|" + Field(record, "patch");
        std::string have = got.family + "|" + got.major + "|" + got.minor + "|" + got.patch;
        return have == want ? "" : "got " + have + " want " + want;
      });
  INFO(FirstFailures(run));
  CHECK(run.cases >= 14'515);  // 0.16.0's five files
  CHECK(run.failures.size() == kKnownFailures);
}

TEST_CASE("UserAgentParser passes uap-core's OS conformance files") {
  Conformance run = RunConformance(
      {"tests/test_os.yaml", "test_resources/additional_os_tests.yaml"},
      [](const YamlRecord& record) -> std::string {
        UapOs got = Uap().ParseOs(Field(record, "user_agent_string"));
        std::string want = Field(record, "family") + "|" + Field(record, "major") + "|" +
                           Field(record, "minor") + "|" + Field(record, "patch") + "|" +
                           Field(record, "patch_minor");
        std::string have = got.family + "|" + got.major + "|" + got.minor + "|" + got.patch + "|" +
                           got.patch_minor;
        return have == want ? "" : "got " + have + " want " + want;
      });
  INFO(FirstFailures(run));
  CHECK(run.cases >= 479);
  CHECK(run.failures.size() == kKnownFailures);
}

TEST_CASE("UserAgentParser passes uap-core's device conformance file") {
  Conformance run =
      RunConformance({"tests/test_device.yaml"}, [](const YamlRecord& record) -> std::string {
        UapDevice got = Uap().ParseDevice(Field(record, "user_agent_string"));
        std::string want =
            Field(record, "family") + "|" + Field(record, "brand") + "|" + Field(record, "model");
        std::string have = got.family + "|" + got.brand + "|" + got.model;
        return have == want ? "" : "got " + have + " want " + want;
      });
  INFO(FirstFailures(run));
  CHECK(run.cases >= 16'111);
  CHECK(run.failures.size() == kKnownFailures);
  CHECK(Uap().set_fallbacks() == 0);
}

std::unique_ptr<UserAgentClassifier> LoadDefault() {
  auto classifier = UserAgentClassifier::Load();
  REQUIRE(classifier.ok());
  return std::move(*classifier);
}

struct Expected {
  const char* agent;
  DeviceClass device;
  const char* os;
  const char* browser;
  const char* brand;
  const char* bot_name;
};

// Real agents, as browsers, crawlers and tools sent them.
const Expected kRealAgents[] = {
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36",
     DeviceClass::kDesktop, "Windows 10", "Chrome", "Other", ""},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
     DeviceClass::kDesktop, "Windows 10", "Edge", "Other", ""},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.1 Safari/605.1.15",
     DeviceClass::kDesktop, "Mac OS X 10", "Safari", "Apple", ""},
    {"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
     DeviceClass::kDesktop, "Linux", "Firefox", "Other", ""},
    {"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
     DeviceClass::kDesktop, "Ubuntu", "Firefox", "Other", ""},
    // "Tablet PC 2.0" is a Windows 7 desktop's component, not a tablet.
    {"Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; SLCC2; .NET CLR 2.0.50727; "
     "Media Center PC 6.0; Tablet PC 2.0)",
     DeviceClass::kDesktop, "Windows 7", "IE", "Other", ""},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
     DeviceClass::kMobile, "iOS 17", "Mobile Safari", "Apple", ""},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
     DeviceClass::kMobile, "iOS 17", "Chrome Mobile iOS", "Apple", ""},
    {"Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.1 Mobile/15E148 Safari/604.1",
     DeviceClass::kTablet, "iOS 17", "Mobile Safari", "Apple", ""},
    {"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.6099.144 Mobile Safari/537.36",
     DeviceClass::kMobile, "Android 14", "Chrome Mobile", "Samsung", ""},
    {"Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
     DeviceClass::kMobile, "Android 14", "Samsung Internet", "Samsung", ""},
    // Chrome's reduced agent: no model, still a phone.
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Mobile Safari/537.36",
     DeviceClass::kMobile, "Android 10", "Chrome Mobile", "Generic_Android", ""},
    {"Mozilla/5.0 (Linux; Android 12; Pixel 6) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Mobile Safari/537.36",
     DeviceClass::kMobile, "Android 12", "Chrome Mobile", "Google", ""},
    {"Dalvik/2.1.0 (Linux; U; Android 11; SM-A125F Build/RP1A.200720.012)", DeviceClass::kMobile,
     "Android 11", "Android", "Samsung", ""},
    {"Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36",
     DeviceClass::kTablet, "Android 13", "Chrome", "Generic_Android_Tablet", ""},
    {"Mozilla/5.0 (Linux; Android 9; SM-T820) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36",
     DeviceClass::kTablet, "Android 9", "Chrome", "Generic_Android_Tablet", ""},
    {"Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Silk/120.4.1 like Chrome/120.0.6099.230 Safari/537.36",
     DeviceClass::kTablet, "Android 11", "Amazon Silk", "Amazon", ""},
    {"Mozilla/5.0 (Android 4.4; Tablet; rv:41.0) Gecko/41.0 Firefox/41.0", DeviceClass::kTablet,
     "Android 4", "Firefox Mobile", "Generic", ""},
    {"Opera/9.80 (Android; Opera Mini/7.5.33361/31.1448; U; en) Presto/2.8.119 Version/11.1010",
     DeviceClass::kMobile, "Android", "Opera Mini", "Generic", ""},
    {"Mozilla/5.0 (Mobile; Nokia_8110_4G; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5.1",
     DeviceClass::kMobile, "KaiOS 2", "Firefox Mobile", "Nokia", ""},
    {"Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063",
     DeviceClass::kMobile, "Windows Phone 10", "Edge Mobile", "Nokia", ""},
    {"Mozilla/5.0 (BlackBerry; U; BlackBerry 9900; en) AppleWebKit/534.11+ (KHTML, like Gecko) "
     "Version/7.1.0.346 Mobile Safari/534.11+",
     DeviceClass::kMobile, "BlackBerry OS 7", "BlackBerry WebKit", "BlackBerry", ""},
    {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", DeviceClass::kBot,
     "Other", "Googlebot", "Spider", "Googlebot"},
    {"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/120.0.6099.71 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
     "+http://www.google.com/bot.html)",
     DeviceClass::kBot, "Android 6", "Googlebot", "Spider", "Googlebot"},
    {"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", DeviceClass::kBot,
     "Other", "bingbot", "Spider", "bingbot"},
    {"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", DeviceClass::kBot,
     "Other", "FacebookBot", "Spider", "FacebookBot"},
    {"Twitterbot/1.0", DeviceClass::kBot, "Other", "Twitterbot", "Spider", "Twitterbot"},
    {"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", DeviceClass::kBot,
     "Other", "AhrefsBot", "Spider", "AhrefsBot"},
    {"curl/8.4.0", DeviceClass::kOther, "Other", "curl", "Other", ""},
    {"python-requests/2.31.0", DeviceClass::kOther, "Other", "Python Requests", "Other", ""},
    {"Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) "
     "76.0.3809.146/6.0 TV Safari/537.36",
     DeviceClass::kOther, "Tizen 6", "Safari", "Samsung", ""},
    {"Roku/DVP-9.10 (519.10E04111A)", DeviceClass::kOther, "Roku 9", "Roku", "Generic_Inettv", ""},
    {"", DeviceClass::kOther, "Other", "Other", "Other", ""},
};

void CheckFacts(const AgentFacts& facts, const Expected& want) {
  INFO("agent: " << want.agent);
  CHECK(DeviceClassName(facts.device) == DeviceClassName(want.device));
  CHECK(facts.os == want.os);
  CHECK(facts.browser == want.browser);
  CHECK(facts.brand == want.brand);
  CHECK(facts.bot_name == want.bot_name);
}

TEST_CASE(
    "UserAgentClassifier gives real agents their device class OS browser brand and bot name") {
  auto classifier = LoadDefault();
  for (const Expected& want : kRealAgents) CheckFacts(classifier->Classify(want.agent), want);
}

// 4 KiB of printable ASCII, and of any bytes (invalid UTF-8), from a fixed seed.
std::string Garbage(bool printable) {
  std::mt19937 random(20);
  std::string text;
  for (int i = 0; i < 4096; ++i) {
    text += printable ? static_cast<char>(' ' + random() % 95) : static_cast<char>(random() % 256);
  }
  return text;
}

TEST_CASE("UserAgentClassifier gives 4 KB of garbage nothing but Other") {
  auto classifier = LoadDefault();
  for (bool printable : {true, false}) {
    CheckFacts(classifier->Classify(Garbage(printable)),
               {"garbage", DeviceClass::kOther, "Other", "Other", "Other", ""});
  }
}

TEST_CASE("UserAgentClassifier cuts a fact longer than kMaxValueBytes") {
  auto classifier = LoadDefault();
  // uap's generic crawler pattern takes up to ~100 bytes of the name.
  std::string name = std::string(50, 'A') + "Crawler" + std::string(50, 'z');
  const AgentFacts& facts = classifier->Classify("Mozilla/5.0 (compatible; " + name + "/1.0)");
  CHECK(facts.device == DeviceClass::kBot);
  CHECK(facts.bot_name == name.substr(0, UserAgentClassifier::kMaxValueBytes));
  CHECK(facts.browser == facts.bot_name);
}

TEST_CASE("UserAgentClassifier answers a repeated agent from its cache") {
  auto classifier = LoadDefault();
  const Expected& iphone = kRealAgents[6];
  AgentFacts first = classifier->Classify(iphone.agent);
  const AgentFacts& second = classifier->Classify(iphone.agent);
  CheckFacts(first, iphone);
  CheckFacts(second, iphone);
  auto stats = classifier->cache_stats();
  CHECK(stats.misses == 1);
  CHECK(stats.hits == 1);
  CHECK(stats.entries == 1);
}

TEST_CASE("UserAgentClassifier keeps at most kCacheEntries agents and refills after a clear") {
  auto classifier = LoadDefault();
  const Expected& chrome = kRealAgents[0];
  constexpr size_t kAgents = UserAgentClassifier::kCacheEntries + 1;
  for (size_t i = 0; i < kAgents; ++i) {
    std::string agent =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0." +
        std::to_string(i) + ".0 Safari/537.36";
    const AgentFacts& facts = classifier->Classify(agent);
    if (i % 4096 == 0) CheckFacts(facts, chrome);
    REQUIRE(classifier->cache_stats().entries <= UserAgentClassifier::kCacheEntries);
  }
  auto stats = classifier->cache_stats();
  CHECK(stats.misses == kAgents);
  CHECK(stats.clears == 1);
  CHECK(stats.entries == 1);  // the one after the clear
  CHECK(stats.bytes <= UserAgentClassifier::kCacheBytes);
  // An agent of before the clear is parsed again, with the same facts.
  CheckFacts(classifier->Classify(
                 "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                 "Chrome/120.0.0.0 Safari/537.36"),
             chrome);
  CHECK(classifier->cache_stats().misses == kAgents + 1);
}

TEST_CASE("UserAgentClassifier classifies long agents by their first kMaxAgentBytes bytes") {
  auto classifier = LoadDefault();
  std::string agent = std::string(kRealAgents[6].agent) + " " +
                      std::string(UserAgentClassifier::kMaxAgentBytes, 'x');
  CheckFacts(classifier->Classify(agent), kRealAgents[6]);
  CheckFacts(classifier->Classify(agent + "something else"), kRealAgents[6]);
  auto stats = classifier->cache_stats();
  CHECK(stats.misses == 1);
  CHECK(stats.hits == 1);
}

TEST_CASE("UserAgentClassifier keeps its cache under kCacheBytes with long distinct agents") {
  auto classifier = LoadDefault();
  // Agents of kMaxAgentBytes each: the byte bound clears before the entry
  // bound (32 MiB / ~1.3 KB is ~26,000 entries).
  std::string agent(UserAgentClassifier::kMaxAgentBytes, '.');
  size_t i = 0;
  for (; i < UserAgentClassifier::kCacheEntries && classifier->cache_stats().clears == 0; ++i) {
    std::string number = std::to_string(i);
    agent.replace(0, number.size(), number);
    classifier->Classify(agent);
    REQUIRE(classifier->cache_stats().bytes <= UserAgentClassifier::kCacheBytes);
  }
  auto stats = classifier->cache_stats();
  CHECK(stats.clears == 1);
  CHECK(i < UserAgentClassifier::kCacheEntries / 2);
  CHECK(stats.entries == 1);
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  REQUIRE(out.good());
}

TEST_CASE("UserAgentClassifier::Load refuses a missing file naming it") {
  TempDir dir;
  auto classifier = UserAgentClassifier::Load(dir.sub("regexes.yaml"));
  REQUIRE_FALSE(classifier.ok());
  CHECK(classifier.error().code == ErrorCode::kNotFound);
  CHECK_THAT(classifier.error().message, Catch::Contains(dir.sub("regexes.yaml")));
}

const char* kTinyLists = R"(
user_agent_parsers:
  - regex: '(Foo)Browser/(\d+)\.(\d+)'
    family_replacement: 'Big $1'
os_parsers:
  - regex: 'FooOS (\d+)'
    os_replacement: 'Foo OS'
    os_v1_replacement: '$1'
device_parsers:
  - regex: 'phone ([a-z]+)'
    regex_flag: 'i'
    device_replacement: '  Foo $1 $9 '
    brand_replacement: 'Foo'
)";

TEST_CASE("UserAgentClassifier::Load refuses a pattern RE2 cannot compile naming it") {
  TempDir dir;
  SECTION("an unclosed group") {
    WriteFile(dir.sub("regexes.yaml"), std::string(kTinyLists) + "  - regex: '(Bar'\n");
    auto classifier = UserAgentClassifier::Load(dir.sub("regexes.yaml"));
    REQUIRE_FALSE(classifier.ok());
    CHECK_THAT(classifier.error().message, Catch::Contains("device_parsers entry 2 '(Bar'"));
    CHECK_THAT(classifier.error().message, Catch::Contains(dir.sub("regexes.yaml")));
  }
  SECTION("a lookahead which RE2 does not have") {
    WriteFile(dir.sub("regexes.yaml"), std::string(kTinyLists) + "  - regex: 'Bar(?=Baz)'\n");
    auto classifier = UserAgentClassifier::Load(dir.sub("regexes.yaml"));
    REQUIRE_FALSE(classifier.ok());
    CHECK_THAT(classifier.error().message, Catch::Contains("device_parsers entry 2 'Bar(?=Baz)'"));
  }
}

TEST_CASE("UserAgentClassifier::Load refuses broken YAML and missing lists") {
  TempDir dir;
  SECTION("a syntax error names its line") {
    WriteFile(dir.sub("regexes.yaml"), "user_agent_parsers:\n  - regex: 'a\n");
    auto classifier = UserAgentClassifier::Load(dir.sub("regexes.yaml"));
    REQUIRE_FALSE(classifier.ok());
    CHECK_THAT(classifier.error().message, Catch::Contains("line"));
  }
  SECTION("no os_parsers") {
    WriteFile(dir.sub("regexes.yaml"), "user_agent_parsers: []\ndevice_parsers: []\n");
    auto classifier = UserAgentClassifier::Load(dir.sub("regexes.yaml"));
    REQUIRE_FALSE(classifier.ok());
    CHECK_THAT(classifier.error().message, Catch::Contains("no os_parsers"));
  }
  SECTION("an entry without regex") {
    WriteFile(dir.sub("regexes.yaml"),
              "user_agent_parsers: []\nos_parsers:\n  - os_replacement: 'x'\ndevice_parsers: []\n");
    auto classifier = UserAgentClassifier::Load(dir.sub("regexes.yaml"));
    REQUIRE_FALSE(classifier.ok());
    CHECK_THAT(classifier.error().message, Catch::Contains("os_parsers entry 1 has no regex"));
  }
}

TEST_CASE("UserAgentParser puts captures in replacements trims them and honours regex_flag") {
  TempDir dir;
  WriteFile(dir.sub("regexes.yaml"), kTinyLists);
  auto regexes = ReadUapRegexes(dir.sub("regexes.yaml"));
  REQUIRE(regexes.ok());
  auto parser = UserAgentParser::Compile(*regexes);
  REQUIRE(parser.ok());

  UapResult uap = (*parser)->Parse("FooBrowser/3.1 (FooOS 7; PHONE XY)");
  CHECK(uap.agent.family == "Big Foo");
  CHECK(uap.agent.major == "3");
  CHECK(uap.agent.minor == "1");
  CHECK(uap.agent.patch.empty());
  CHECK(uap.os.family == "Foo OS");
  CHECK(uap.os.major == "7");
  CHECK(uap.device.family == "Foo XY");  // $9 absent: empty; then trimmed
  CHECK(uap.device.brand == "Foo");
  CHECK(uap.device.model == "XY");  // no model_replacement: capture 1

  UapResult none = (*parser)->Parse("Bar/1.0");
  CHECK(none.agent.family == "Other");
  CHECK(none.os.family == "Other");
  CHECK(none.device.family == "Other");
  CHECK(none.device.brand.empty());

  auto classifier = UserAgentClassifier::Load(dir.sub("regexes.yaml"));
  REQUIRE(classifier.ok());
  const AgentFacts& facts = (*classifier)->Classify("FooBrowser/3.1 (FooOS 7; PHONE XY)");
  CHECK(facts.os == "Foo OS 7");
  CHECK(facts.browser == "Big Foo");
  CHECK(facts.brand == "Foo");
  CHECK(facts.device == DeviceClass::kOther);
}

}  // namespace
}  // namespace shortlink::classify
