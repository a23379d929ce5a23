// A campaign as the API answers it.
#pragma once

#include <boost/json/object.hpp>

#include "campaigns/campaign.h"

namespace shortlink::admin {

// {"id", "name", "team", "createdAt", "updatedAt"}.
boost::json::object CampaignToJson(const Campaign& campaign);

}  // namespace shortlink::admin
