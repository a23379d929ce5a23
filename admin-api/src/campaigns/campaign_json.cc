#include "campaigns/campaign_json.h"

#include "common/clock.h"

namespace shortlink::admin {

boost::json::object CampaignToJson(const Campaign& campaign, std::string_view team_id) {
  boost::json::object o;
  o["id"] = campaign.id;
  o["name"] = campaign.name;
  o["teamId"] = team_id;
  o["createdAt"] = FormatIso8601Millis(campaign.created_at_ms);
  o["updatedAt"] = FormatIso8601Millis(campaign.updated_at_ms);
  return o;
}

}  // namespace shortlink::admin
