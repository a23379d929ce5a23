// Fuzzes BuildLocation (the Location of a link with UTM parameters or a
// forwarded query) and the A/B cookie reader. The input is split into a
// target, five UTM values and a visitor query. What must hold whatever they
// are, for targets admin-api could store (header-safe, at most 2048 bytes):
//   - the Location fits the buffer and is header-safe (no CR, LF, space,
//     control or non-ASCII byte), so it can never split a header;
//   - it starts with the target's part before '?' and ends with its
//     fragment;
//   - no parameter name appears twice among those we added (UTM and the
//     visitor's), and every UTM value set is present.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "rules/location_builder.h"
#include "rules/rule_engine.h"

namespace shortlink::redirector {
namespace {

bool HeaderSafe(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

std::vector<std::string_view> Split(std::string_view data, char sep, size_t parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    size_t at = data.find(sep);
    if (at == std::string_view::npos) break;
    out.push_back(data.substr(0, at));
    data.remove_prefix(at + 1);
  }
  out.push_back(data);
  while (out.size() < parts) out.push_back({});
  return out;
}

}  // namespace
}  // namespace shortlink::redirector

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shortlink;
  using namespace shortlink::redirector;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parts = Split(input, '\n', 7);
  std::string_view target = parts[0];
  if (target.empty() || target.size() > 2048 || !HeaderSafe(target)) return 0;
  UtmParameters utm{std::string(parts[1]), std::string(parts[2]), std::string(parts[3]),
                    std::string(parts[4]), std::string(parts[5])};
  for (const std::string* v : {&utm.source, &utm.medium, &utm.campaign, &utm.term, &utm.content})
    if (v->size() > 100) return 0;  // admin-api's bound
  std::string_view query = parts[6];

  std::vector<char> out(kMaxLocationBytes);
  size_t n = BuildLocation(target, utm.empty() ? nullptr : &utm, query, out.data(), out.size());
  FUZZ_CHECK(n <= out.size());
  std::string_view location(out.data(), n);
  FUZZ_CHECK(HeaderSafe(location));

  size_t hash = target.find('#');
  std::string_view fragment = hash == std::string_view::npos ? "" : target.substr(hash);
  std::string_view base = target.substr(0, std::min(target.find('?'), hash));
  FUZZ_CHECK(location.substr(0, base.size()) == base);
  FUZZ_CHECK(location.size() >= base.size() + fragment.size());
  FUZZ_CHECK(location.substr(location.size() - fragment.size()) == fragment);

  // The query we wrote: between the base and the fragment.
  std::string_view written =
      location.substr(base.size(), location.size() - base.size() - fragment.size());
  if (!written.empty()) {
    FUZZ_CHECK(written[0] == '?');
    written.remove_prefix(1);
  }
  std::vector<std::string_view> names;
  size_t utm_seen = 0;
  while (!written.empty()) {
    size_t amp = written.find('&');
    std::string_view param = written.substr(0, amp);
    FUZZ_CHECK(!param.empty());
    std::string_view name = param.substr(0, param.find('='));
    if (name.starts_with("utm_")) ++utm_seen;
    names.push_back(name);
    if (amp == std::string_view::npos) break;
    written.remove_prefix(amp + 1);
  }
  size_t utm_set = !utm.source.empty() + !utm.medium.empty() + !utm.campaign.empty() +
                   !utm.term.empty() + !utm.content.empty();
  FUZZ_CHECK(utm_seen >= utm_set);  // the target may hold other utm_* names too
  // Names the link's UTM sets appear exactly once.
  const std::pair<std::string_view, const std::string*> fields[] = {{"utm_source", &utm.source},
                                                                    {"utm_medium", &utm.medium},
                                                                    {"utm_campaign", &utm.campaign},
                                                                    {"utm_term", &utm.term},
                                                                    {"utm_content", &utm.content}};
  for (const auto& [name, value] : fields) {
    if (value->empty()) continue;
    size_t count = 0;
    for (std::string_view n2 : names) count += n2 == name;
    FUZZ_CHECK(count == 1);
  }

  int bucket = AbBucketFromCookie(input);
  FUZZ_CHECK(bucket >= -1 && bucket <= 99);
  return 0;
}
