#include "edge/https_policy.h"

#include "common/validation.h"

namespace shortlink::redirector {

Result<HostList> HostList::Parse(std::string_view comma_separated) {
  HostList list;
  for (size_t start = 0; start <= comma_separated.size();) {
    size_t end = comma_separated.find(',', start);
    if (end == std::string_view::npos) end = comma_separated.size();
    std::string_view name = comma_separated.substr(start, end - start);
    start = end + 1;
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) continue;
    if (name == "*") {
      list.all_ = true;
      continue;
    }
    bool wildcard = name.substr(0, 2) == "*.";
    auto host = NormalizeDomain(wildcard ? name.substr(2) : name);
    if (!host.ok())
      return MakeError(ErrorCode::kInvalidArgument,
                       "'" + std::string(name) + "': " + host.error().message);
    if (wildcard)
      list.parents_.push_back(std::string(1, '.').append(*host));
    else
      list.names_.push_back(std::move(host).value());
  }
  return list;
}

bool HostList::Matches(std::string_view host) const {
  if (all_) return !host.empty();
  if (host.empty()) return false;
  for (const std::string& name : names_)
    if (name == host) return true;
  size_t dot = host.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  std::string_view parent = host.substr(dot);
  for (const std::string& p : parents_)
    if (p == parent) return true;
  return false;
}

std::string HttpsPolicy::HstsHeader(uint32_t max_age_seconds) {
  return "Strict-Transport-Security: max-age=" + std::to_string(max_age_seconds) + "\r\n";
}

}  // namespace shortlink::redirector
