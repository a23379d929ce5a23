#include "edge/client_address.h"

namespace shortlink::redirector {

std::string_view ClientAddress(ClientAddressSource source, const RequestHead& head,
                               std::string_view peer) {
  std::string_view value;
  if (source == ClientAddressSource::kXForwardedFor) {
    value = head.forwarded_for;
    if (size_t comma = value.rfind(','); comma != std::string_view::npos)
      value.remove_prefix(comma + 1);
  } else if (source == ClientAddressSource::kXRealIp) {
    value = head.real_ip;
  }
  value = TrimOws(value);
  return value.empty() ? peer : value;
}

}  // namespace shortlink::redirector
