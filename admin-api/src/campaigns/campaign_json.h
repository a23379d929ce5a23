// A campaign as the API answers it.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "campaigns/campaign.h"

namespace shortlink::admin {

// {"id", "name", "teamId" (the owning team's UUID: team numbers stay
// inside), "createdAt", "updatedAt"}.
boost::json::object CampaignToJson(const Campaign& campaign, std::string_view team_id);

}  // namespace shortlink::admin
