// BoundedWriter: appends a response's pieces into a caller's buffer while
// there is room; `ok` turns false for good once there is not, and the
// caller then sends nothing of it. What the tracker page and its loader
// script are written with (trackers/): no allocation, no bound forgotten.
//
// Thread safety: a plain value, one per response.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace shortlink::redirector {

struct BoundedWriter {
  char* p;
  char* end;
  bool ok = true;
  void Put(std::string_view s) {
    if (s.empty()) return;  // its data() may be null, which memcpy must not see
    if (!ok || static_cast<size_t>(end - p) < s.size()) {
      ok = false;
      return;
    }
    memcpy(p, s.data(), s.size());
    p += s.size();
  }
  void PutNumber(size_t n) {
    char digits[20];  // size_t's most
    Put(std::string_view(digits, std::to_chars(digits, digits + sizeof digits, n).ptr - digits));
  }
  // `text` escaped for HTML text and double-quoted attributes.
  void PutEscaped(std::string_view text) {
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      std::string_view entity;
      switch (text[i]) {
        case '&':
          entity = "&amp;";
          break;
        case '<':
          entity = "&lt;";
          break;
        case '>':
          entity = "&gt;";
          break;
        case '"':
          entity = "&quot;";
          break;
        case '\'':
          entity = "&#39;";
          break;
        default:
          continue;
      }
      Put(text.substr(start, i - start));
      Put(entity);
      start = i + 1;
    }
    Put(text.substr(start));
  }
};

}  // namespace shortlink::redirector
