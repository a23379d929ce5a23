#include "campaigns/campaign_input.h"

#include <charconv>

#include "campaigns/campaign.h"
#include "http/json_input.h"

namespace shortlink::admin {
namespace {

constexpr std::string_view kBodyFields[] = {"name"};

}  // namespace

Result<std::string> ParseCampaignBody(const simdjson::dom::object& obj) {
  if (Status known = OnlyKnownFields(obj, kBodyFields); !known.ok()) return known.error();
  auto name = OptionalString(obj, "name");
  if (!name.ok()) return name.error();
  if (!*name) return MakeError(ErrorCode::kInvalidArgument, "name is required.");
  if (Status valid = CheckCampaignName(**name); !valid.ok()) return valid.error();
  return std::move(**name);
}

std::optional<uint64_t> CampaignIdFromPath(std::string_view segment) {
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), id);
  if (segment.empty() || ec != std::errc() || end != segment.data() + segment.size() || id == 0)
    return std::nullopt;
  return id;
}

Result<CampaignListQuery> ParseCampaignListQuery(const std::map<std::string, std::string>& query) {
  auto paging = ParsePaging(query);
  if (!paging.ok()) return paging.error();
  CampaignListQuery q{*paging, {}};
  if (auto it = query.find("search"); it != query.end()) {
    if (it->second.size() > kMaxCampaignSearchBytes) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "search must be at most " + std::to_string(kMaxCampaignSearchBytes) + " bytes.");
    }
    q.search = it->second;
  }
  return q;
}

}  // namespace shortlink::admin
