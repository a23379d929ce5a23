// A link as the Go API shows it.
#pragma once

#include <boost/json/object.hpp>

#include "common/link.h"

namespace shortlink::admin {

// {shortUrl, longUrl, state, clicks, createdAt, updatedAt, isFile}, then the
// optional fields the link sets (link_rules_json.h): none for a link
// without them, exactly as before they existed.
boost::json::object LinkToJson(const Link& link);

}  // namespace shortlink::admin
