// The device classes analytics reports clicks by (common/click_batch.h,
// kClickDeviceClass), and their names on the wire and in the API.
#pragma once

#include <cstdint>
#include <string_view>

namespace shortlink::classify {

enum class DeviceClass : uint8_t { kDesktop, kMobile, kTablet, kOther, kBot };

// "desktop", "mobile", "tablet", "other", "bot".
std::string_view DeviceClassName(DeviceClass device);

}  // namespace shortlink::classify
