#include "links/link_json.h"

#include "common/clock.h"
#include "links/link_rules_json.h"

namespace shortlink::admin {

boost::json::object LinkToJson(const Link& link) {
  boost::json::object o;
  o["shortUrl"] = link.code;
  o["longUrl"] = link.long_url;
  o["state"] = LinkStateName(link.state);
  o["clicks"] = link.clicks;
  o["createdAt"] = FormatIso8601Millis(link.created_at_ms);
  o["updatedAt"] = FormatIso8601Millis(link.updated_at_ms);
  o["isFile"] = link.is_file;
  AppendLinkFieldsJson(link, &o);
  // Only off the default domain: a default-domain link's JSON is what it
  // was before domains, byte for byte.
  if (!link.domain.empty()) o["domain"] = link.domain;
  // Likewise only when set: a link in no campaign shows nothing new.
  if (link.campaign != 0) o["campaignId"] = link.campaign;
  return o;
}

}  // namespace shortlink::admin
