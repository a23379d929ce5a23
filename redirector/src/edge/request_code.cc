#include "edge/request_code.h"

namespace shortlink::redirector {

std::string_view CodeOfPath(std::string_view path, char (&buffer)[kCodeBufferBytes]) {
  if (path.size() > kCodeBufferBytes) return {};
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return {};
    buffer[i] = c;
  }
  return {buffer, path.size()};
}

}  // namespace shortlink::redirector
