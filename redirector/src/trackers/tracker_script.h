// The tracker page's loader (tracker_page.h): one static script, the same
// for every link, served at "/CODE?sl-trackers.js" by the edge. It reads
// the page's trackers from data attributes, shows the opt-in button when
// the page asks for consent, loads each provider's own script or image
// pixel, and then goes on to the link's target.
#pragma once

#include <cstddef>
#include <string_view>

namespace shortlink::redirector {

// The script's text (JavaScript, UTF-8).
std::string_view TrackerScript();

// True when `query` (after '?') asks for the loader, on a link with trackers.
bool IsTrackerScriptQuery(std::string_view query);

// Writes the whole 200 response serving the loader (cacheable for a day:
// it is the same for every link) into `out` (at least
// kMaxTrackerScriptResponseBytes); `head_only` for HEAD. Returns its length.
inline constexpr size_t kMaxTrackerScriptResponseBytes = 6144;
size_t WriteTrackerScriptResponse(std::string_view date, std::string_view connection,
                                  bool head_only, char* out);

}  // namespace shortlink::redirector
