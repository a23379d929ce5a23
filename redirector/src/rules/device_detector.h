// Which kind of device a visit comes from, told by its User-Agent, for
// links that send phones to app stores. Allocation-free; case-sensitive on
// the tokens browsers actually send.
#pragma once

#include <string_view>

namespace shortlink::redirector {

enum class Device { kDesktop, kIos, kAndroid, kWindowsPhone, kOtherMobile };

// Windows Phone is tested first: its agents also claim "Android" and
// "iPhone" to get mobile pages. iPadOS 13+ reports itself as a Mac and is
// then a desktop, as it asks to be.
Device DetectDevice(std::string_view user_agent);

}  // namespace shortlink::redirector
