// The pure parts of the campaign routes: bodies, ids and list queries as a
// client gives them, checked. Apart from the handlers so that tests (and
// fuzzers) reach them without a server.
//
// Thread safety: pure functions.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "http/paging.h"

namespace shortlink::admin {

// {"name": ...}, for a POST and a PATCH alike (the name is all a campaign
// has to change); unknown keys are refused. The name, checked
// (CheckCampaignName).
Result<std::string> ParseCampaignBody(const simdjson::dom::object& obj);

// The id a path segment names; nullopt for one that names none (answered
// 404, as a missing campaign).
std::optional<uint64_t> CampaignIdFromPath(std::string_view segment);

inline constexpr size_t kMaxCampaignSearchBytes = 100;

struct CampaignListQuery {
  Paging paging;
  std::string search;  // a substring of the name, ignoring case; "" all
};
// page/size (or limit/offset, http/paging.h) and `search`.
Result<CampaignListQuery> ParseCampaignListQuery(const std::map<std::string, std::string>& query);

}  // namespace shortlink::admin
