#include "qr/short_url.h"

namespace shortlink::admin::qr {

std::string ShortUrlOf(std::string_view public_url, const Link& link) {
  while (!public_url.empty() && public_url.back() == '/') public_url.remove_suffix(1);
  if (link.domain.empty()) {
    if (public_url.empty()) return {};
    return std::string(public_url) + "/" + link.code;
  }
  std::string_view scheme = "https";
  if (size_t end = public_url.find("://"); end != std::string_view::npos)
    scheme = public_url.substr(0, end);
  return std::string(scheme) + "://" + link.domain + "/" + link.code;
}

}  // namespace shortlink::admin::qr
