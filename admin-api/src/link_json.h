// A link as the Go API shows it.
#pragma once

#include <boost/json/object.hpp>

#include "common/link.h"

namespace shortlink::admin {

// {shortUrl, longUrl, state, clicks, createdAt, updatedAt, isFile}
boost::json::object LinkToJson(const Link& link);

}  // namespace shortlink::admin
