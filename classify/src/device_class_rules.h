// The device class of a visit, from uap-core's answer for its User-Agent
// and the string itself (device_class_rules.cc lists the rules).
//
// Thread safety: a pure function.
#pragma once

#include <string_view>

#include "classify/device_class.h"
#include "user_agent_parser.h"

namespace shortlink::classify {

DeviceClass DeviceClassOf(const UapResult& uap, std::string_view user_agent);

}  // namespace shortlink::classify
