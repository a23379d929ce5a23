#include "rules/device_detector.h"

namespace shortlink::redirector {
namespace {

bool Has(std::string_view text, std::string_view token) {
  return text.find(token) != std::string_view::npos;
}

}  // namespace

Device DetectDevice(std::string_view ua) {
  if (Has(ua, "Windows Phone") || Has(ua, "IEMobile")) return Device::kWindowsPhone;
  if (Has(ua, "iPhone") || Has(ua, "iPad") || Has(ua, "iPod")) return Device::kIos;
  if (Has(ua, "Android")) return Device::kAndroid;
  // "Mobi" is what Mozilla recommends every mobile browser to send.
  if (Has(ua, "Mobi") || Has(ua, "Opera Mini") || Has(ua, "BlackBerry") || Has(ua, "KaiOS"))
    return Device::kOtherMobile;
  return Device::kDesktop;
}

}  // namespace shortlink::redirector
