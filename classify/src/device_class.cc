#include "classify/device_class.h"

namespace shortlink::classify {

std::string_view DeviceClassName(DeviceClass device) {
  switch (device) {
    case DeviceClass::kDesktop:
      return "desktop";
    case DeviceClass::kMobile:
      return "mobile";
    case DeviceClass::kTablet:
      return "tablet";
    case DeviceClass::kBot:
      return "bot";
    case DeviceClass::kOther:
      break;
  }
  return "other";
}

}  // namespace shortlink::classify
