// UserAgentClassifier (classify/user_agent.h): what the click collector
// pays per visit for the agent's facts. Issue 20 wants a repeated agent to
// cost a hash lookup (floor here: >= 5M classifications/s on one core with
// a realistic mix) and quotes ~0.2 ms for an uncached parse done the naive
// way (uap's ~1,100 patterns tried one by one).
//
//   BM_ClassifyCached     the realistic mix below, every agent cached
//   BM_ClassifyUncached   every call a new agent (30,626 distinct agents
//                         of uap's test files, a fresh classifier: its
//                         DFAs start cold, as after a restart)
//   BM_ParseWarm          UserAgentParser::Parse over those agents once its
//                         DFAs have seen them all (the steady state of a
//                         miss)
//   BM_ParseNaive         the naive way, for comparison: each list's
//                         patterns tried in turn until one matches (first
//                         match only, no captures: a lower bound)
//
// The mix: ~190 distinct real agents in 18 families (platform x browser).
// A family's weight approximates StatCounter Global Stats' worldwide shares
// of 2024 (browsers, all platforms: Chrome ~65%, Safari ~18%, Edge ~5%,
// Firefox ~3%, Samsung Internet ~2.5%, Opera ~2%; OS: Android ~46%,
// Windows ~26%, iOS ~18%, macOS ~5.5%, Linux ~1.5%, ChromeOS ~1%), rounded
// and recalled rather than downloaded, with 3% crawlers and link
// previewers, which short links see. Within a family, its variants (browser
// versions, OS versions, phone models) share its weight Zipf-like: the
// k-th variant gets 1/k of the first's.
#include <benchmark/benchmark.h>

#include <re2/re2.h>

#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "../../classify/src/uap_regexes.h"
#include "../../classify/src/user_agent_parser.h"
#include "classify/user_agent.h"

namespace shortlink::classify {
namespace {

struct Family {
  double share;  // per cent of visits
  std::vector<std::string> variants;
};

template <typename... Ints>
std::string Format(const char* pattern, Ints... values) {
  char text[512];
  snprintf(text, sizeof text, pattern, values...);
  return text;
}

std::vector<Family> Families() {
  std::vector<Family> families;
  auto add = [&](double share, std::vector<std::string> variants) {
    families.push_back({share, std::move(variants)});
  };
  std::vector<std::string> v;

  // Android, Chrome: the reduced agent (Chrome 110+), then full agents with models.
  for (int chrome = 131; chrome > 111; --chrome) {
    v.push_back(
        Format("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/%d.0.0.0 Mobile Safari/537.36",
               chrome));
  }
  for (const char* model : {"SM-A515F", "Redmi Note 8", "Pixel 7", "SM-G991B", "moto g(30)",
                            "CPH2211", "V2111", "M2101K6G", "RMX3085", "2201117TG"}) {
    for (int chrome : {109, 104}) {
      v.push_back(std::string("Mozilla/5.0 (Linux; Android 12; ") + model +
                  Format(") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.5414.%d Mobile "
                         "Safari/537.36",
                         chrome, 86 + chrome % 7));
    }
  }
  add(37, std::move(v));

  for (const char* model :
       {"SM-S918B", "SM-A546B", "SM-A145R", "SM-G990B", "SM-A336B", "SM-M135F"}) {
    for (int version : {25, 26}) {
      v.push_back(std::string("Mozilla/5.0 (Linux; Android 14; SAMSUNG ") + model +
                  Format(") AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/%d.0 "
                         "Chrome/%d.0.0.0 Mobile Safari/537.36",
                         version, 96 + version));
    }
  }
  add(2.5, std::move(v));

  for (int opr = 80; opr < 85; ++opr) {
    v.push_back(
        Format("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/%d.0.0.0 Mobile Safari/537.36 OPR/%d.0.0.0",
               opr + 46, opr));
  }
  add(1.5, std::move(v));

  // Android in-app browsers (Facebook, Instagram): links are shared there.
  for (int fbav = 440; fbav < 450; ++fbav) {
    v.push_back(
        Format("Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) "
               "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/%d.0.0.0 Mobile "
               "Safari/537.36 [FB_IAB/FB4A;FBAV/%d.0.0.43.109;]",
               fbav - 320, fbav));
  }
  for (int ig = 300; ig < 305; ++ig) {
    v.push_back(
        Format("Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) "
               "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.%d "
               "Mobile Safari/537.36 Instagram %d.0.0.29.110 Android (33/13; 420dpi; "
               "1080x2400; samsung; SM-A536B; a53x; s5e8825; en_US; 520702318)",
               ig - 200, ig));
  }
  add(4, std::move(v));

  for (int chrome = 131; chrome > 126; --chrome) {
    v.push_back(
        Format("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like "
               "Gecko) Chrome/%d.0.0.0 Safari/537.36",
               chrome));
  }
  add(1, std::move(v));

  // iPhone, Safari: iOS 16.0 to 18.1.
  for (int major = 18; major >= 16; --major) {
    for (int minor = (major == 18 ? 1 : 7); minor >= 0; --minor) {
      v.push_back(
          Format("Mozilla/5.0 (iPhone; CPU iPhone OS %d_%d like Mac OS X) "
                 "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/%d.%d Mobile/15E148 "
                 "Safari/604.1",
                 major, minor, major, minor));
    }
  }
  add(13, std::move(v));

  for (int crios = 131; crios > 125; --crios) {
    v.push_back(
        Format("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
               "(KHTML, like Gecko) CriOS/%d.0.6778.%d Mobile/15E148 Safari/604.1",
               crios, crios - 60));
  }
  add(2, std::move(v));

  for (int fbav = 470; fbav < 476; ++fbav) {
    v.push_back(
        Format("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
               "(KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/%d.0.0.39.%d;FBBV/"
               "600000000;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBCR/;FBID/"
               "phone;FBLC/en_US;FBOP/80]",
               fbav, fbav - 370));
  }
  add(2, std::move(v));

  for (int minor = 5; minor >= 1; --minor) {
    v.push_back(
        Format("Mozilla/5.0 (iPad; CPU OS 17_%d like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
               "like Gecko) Version/17.%d Mobile/15E148 Safari/604.1",
               minor, minor));
  }
  add(1, std::move(v));

  // Windows: Chrome, Edge, Firefox, Opera.
  for (int chrome = 131; chrome > 117; --chrome) {
    v.push_back(
        Format("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
               "Gecko) Chrome/%d.0.0.0 Safari/537.36",
               chrome));
  }
  for (const char* nt : {"6.1", "6.3", "6.1; WOW64", "10.0; WOW64"}) {
    v.push_back(std::string("Mozilla/5.0 (Windows NT ") + nt +
                ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36");
  }
  add(17, std::move(v));

  for (int edge = 131; edge > 121; --edge) {
    v.push_back(
        Format("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
               "Gecko) Chrome/%d.0.0.0 Safari/537.36 Edg/%d.0.0.0",
               edge, edge));
  }
  add(5, std::move(v));

  for (int firefox = 133; firefox > 125; --firefox) {
    v.push_back(
        Format("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:%d.0) Gecko/20100101 "
               "Firefox/%d.0",
               firefox, firefox));
  }
  add(2, std::move(v));

  for (int opr = 115; opr > 111; --opr) {
    v.push_back(
        Format("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
               "Gecko) Chrome/%d.0.0.0 Safari/537.36 OPR/%d.0.0.0",
               opr + 15, opr));
  }
  add(1, std::move(v));

  // macOS: Safari, Chrome.
  for (int minor = 7; minor >= 0; --minor) {
    v.push_back(
        Format("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
               "(KHTML, like Gecko) Version/%d.%d Safari/605.1.15",
               minor > 3 ? 17 : 18, minor));
  }
  add(3, std::move(v));

  for (int chrome = 131; chrome > 123; --chrome) {
    v.push_back(
        Format("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, "
               "like Gecko) Chrome/%d.0.0.0 Safari/537.36",
               chrome));
  }
  add(2.5, std::move(v));

  // Linux and ChromeOS.
  for (int version = 131; version > 127; --version) {
    v.push_back(
        Format("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/%d.0.0.0 Safari/537.36",
               version));
    v.push_back(
        Format("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:%d.0) Gecko/20100101 "
               "Firefox/%d.0",
               version, version));
  }
  add(1.5, std::move(v));

  for (int chrome = 131; chrome > 127; --chrome) {
    v.push_back(
        Format("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like "
               "Gecko) Chrome/%d.0.0.0 Safari/537.36",
               chrome));
  }
  add(1, std::move(v));

  add(3, {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
          "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
          "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, "
          "like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
          "+http://www.google.com/bot.html)",
          "Twitterbot/1.0", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
          "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
          "WhatsApp/2.23.20.0 A",
          "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"});
  return families;
}

// The mix, drawn: agents and the order they come in.
struct Mix {
  std::vector<std::string> agents;
  std::vector<uint32_t> draws;  // indexes into agents, a power of two of them
};

const Mix& TheMix() {
  static const Mix mix = [] {
    Mix m;
    std::vector<double> weights;
    for (const Family& family : Families()) {
      double harmonic = 0;
      for (size_t k = 1; k <= family.variants.size(); ++k) harmonic += 1.0 / k;
      for (size_t k = 1; k <= family.variants.size(); ++k) {
        m.agents.push_back(family.variants[k - 1]);
        weights.push_back(family.share / harmonic / k);
      }
    }
    std::mt19937_64 random(11);
    std::discrete_distribution<uint32_t> pick(weights.begin(), weights.end());
    m.draws.resize(1 << 20);
    for (uint32_t& d : m.draws) d = pick(random);
    return m;
  }();
  return mix;
}

std::unique_ptr<UserAgentClassifier> Load(benchmark::State& state) {
  auto classifier = UserAgentClassifier::Load();
  if (!classifier.ok()) {
    state.SkipWithError(classifier.error().message.c_str());
    return nullptr;
  }
  return std::move(*classifier);
}

void BM_ClassifyCached(benchmark::State& state) {
  auto classifier = Load(state);
  if (!classifier) return;
  const Mix& mix = TheMix();
  for (const std::string& agent : mix.agents) classifier->Classify(agent);
  size_t next = 0;
  for (auto _ : state) {
    const AgentFacts& facts =
        classifier->Classify(mix.agents[mix.draws[next++ & (mix.draws.size() - 1)]]);
    benchmark::DoNotOptimize(&facts);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["distinct"] = static_cast<double>(mix.agents.size());
  state.counters["misses"] = static_cast<double>(classifier->cache_stats().misses);
}
BENCHMARK(BM_ClassifyCached)->MinTime(2);

// Every distinct agent of uap's agent and device test files.
const std::vector<std::string>& DistinctAgents() {
  static const std::vector<std::string> agents = [] {
    std::vector<std::string> all;
    std::unordered_set<std::string> seen;
    for (const char* file :
         {"/usr/share/uap-core/tests/test_device.yaml", "/usr/share/uap-core/tests/test_ua.yaml",
          "/usr/share/uap-core/test_resources/pgts_browser_list.yaml"}) {
      auto lists = ReadYamlRecordLists(file);
      if (!lists.ok()) continue;
      for (const YamlRecord& record : (*lists)["test_cases"]) {
        auto agent = record.find("user_agent_string");
        if (agent != record.end() && agent->second && seen.insert(*agent->second).second) {
          all.push_back(*agent->second);
        }
      }
    }
    return all;
  }();
  return agents;
}

void BM_ClassifyUncached(benchmark::State& state) {
  auto classifier = Load(state);
  if (!classifier) return;
  const auto& agents = DistinctAgents();
  size_t next = 0;
  for (auto _ : state) {
    const AgentFacts& facts = classifier->Classify(agents[next++ % agents.size()]);
    benchmark::DoNotOptimize(&facts);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["distinct"] = static_cast<double>(agents.size());
  state.counters["hits"] = static_cast<double>(classifier->cache_stats().hits);
}
// One pass over the distinct agents: every call a miss.
BENCHMARK(BM_ClassifyUncached)->Iterations(29'000)->Unit(benchmark::kMicrosecond);

std::unique_ptr<UserAgentParser> CompileParser(benchmark::State& state) {
  auto regexes = ReadUapRegexes(UserAgentClassifier::kDefaultRegexes);
  if (!regexes.ok()) {
    state.SkipWithError(regexes.error().message.c_str());
    return nullptr;
  }
  auto parser = UserAgentParser::Compile(*regexes);
  if (!parser.ok()) {
    state.SkipWithError(parser.error().message.c_str());
    return nullptr;
  }
  return std::move(*parser);
}

void BM_ParseWarm(benchmark::State& state) {
  auto parser = CompileParser(state);
  if (!parser) return;
  const auto& agents = DistinctAgents();
  for (const std::string& agent : agents) benchmark::DoNotOptimize(parser->Parse(agent));
  size_t next = 0;
  for (auto _ : state) benchmark::DoNotOptimize(parser->Parse(agents[next++ % agents.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseWarm)->MinTime(3)->Unit(benchmark::kMicrosecond);

void BM_ParseNaive(benchmark::State& state) {
  auto regexes = ReadUapRegexes(UserAgentClassifier::kDefaultRegexes);
  if (!regexes.ok()) {
    state.SkipWithError(regexes.error().message.c_str());
    return;
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(32 << 20);  // as UserAgentParser's patterns
  std::vector<std::vector<std::unique_ptr<RE2>>> lists;
  for (const auto* list : {&regexes->user_agent, &regexes->os, &regexes->device}) {
    lists.emplace_back();
    for (const UapPattern& p : *list) {
      lists.back().push_back(
          std::make_unique<RE2>((p.ignore_case ? "(?i)" : "") + p.regex, options));
    }
  }
  const auto& agents = DistinctAgents();
  size_t next = 0;
  for (auto _ : state) {
    const std::string& agent = agents[next++ % agents.size()];
    for (const auto& list : lists) {
      for (const auto& re : list) {
        if (RE2::PartialMatch(agent, *re)) break;
      }
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseNaive)->Iterations(5'000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace shortlink::classify

BENCHMARK_MAIN();
