// A custom domain as the API answers it.
#pragma once

#include <boost/json.hpp>

#include "common/domain.h"

namespace shortlink::admin {

// {"host", "teamId" (the owning team's UUID), "rootRedirect"?, "notFoundUrl"?,
// "createdAt", "updatedAt"}: a URL that is not set is left out.
boost::json::object DomainToJson(const DomainRecord& domain, std::string_view team_id);

}  // namespace shortlink::admin
