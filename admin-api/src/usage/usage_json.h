// The JSON of GET /api/v1/usage: {"month", "requests", "included", "over",
// "charge", "policy"}. The charge is a decimal string of US dollars
// ("10.50"): exact, where a JSON number would be a binary fraction.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "usage/month.h"
#include "usage/usage_meter.h"

namespace shortlink::admin::usage {

std::string FormatCents(uint64_t cents);  // 1050 -> "10.50"

boost::json::object UsageToJson(Month month, uint64_t requests, uint64_t included, Policy policy);

}  // namespace shortlink::admin::usage
