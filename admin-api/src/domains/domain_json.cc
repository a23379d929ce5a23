#include "domains/domain_json.h"

#include "common/clock.h"

namespace shortlink::admin {

boost::json::object DomainToJson(const DomainRecord& domain, std::string_view team_id) {
  boost::json::object o;
  o["host"] = domain.host;
  o["teamId"] = team_id;
  if (!domain.root_redirect.empty()) o["rootRedirect"] = domain.root_redirect;
  if (!domain.not_found_url.empty()) o["notFoundUrl"] = domain.not_found_url;
  o["createdAt"] = FormatIso8601Millis(domain.created_at_ms);
  o["updatedAt"] = FormatIso8601Millis(domain.updated_at_ms);
  return o;
}

}  // namespace shortlink::admin
