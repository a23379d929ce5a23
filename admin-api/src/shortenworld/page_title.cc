#include "shortenworld/page_title.h"

#include <simdjson.h>

#include <cctype>
#include <charconv>

namespace shortlink::admin::shortenworld {
namespace {

size_t FindNoCase(std::string_view text, std::string_view needle, size_t from) {
  for (size_t i = from; i + needle.size() <= text.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && std::tolower(static_cast<unsigned char>(text[i + j])) == needle[j])
      ++j;
    if (j == needle.size()) return i;
  }
  return std::string_view::npos;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return;
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the reference at text[0] == '&' into `out`; returns the bytes it
// took (0: not one we know, the '&' stays as it is).
size_t DecodeReference(std::string_view text, std::string* out) {
  static constexpr std::pair<std::string_view, char> kNamed[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  for (const auto& [name, c] : kNamed) {
    if (text.starts_with(name)) {
      *out += c;
      return name.size();
    }
  }
  if (text.size() < 4 || text[1] != '#') return 0;
  bool hex = text[2] == 'x' || text[2] == 'X';
  size_t digits = hex ? 3 : 2;
  size_t semi = text.find(';', digits);
  if (semi == std::string_view::npos || semi == digits || semi > digits + 7) return 0;
  uint32_t cp = 0;
  auto [end, ec] = std::from_chars(text.data() + digits, text.data() + semi, cp, hex ? 16 : 10);
  if (ec != std::errc() || end != text.data() + semi) return 0;
  AppendUtf8(cp, out);
  return semi + 1;
}

}  // namespace

std::string ExtractTitle(std::string_view html, size_t max_bytes) {
  size_t open = FindNoCase(html, "<title", 0);
  while (open != std::string_view::npos && open + 6 < html.size() && html[open + 6] != '>' &&
         !std::isspace(static_cast<unsigned char>(html[open + 6])))
    open = FindNoCase(html, "<title", open + 6);  // <titles>, not <title>
  if (open == std::string_view::npos) return "";
  size_t start = html.find('>', open);
  if (start == std::string_view::npos) return "";
  ++start;
  size_t close = FindNoCase(html, "</title", start);
  if (close == std::string_view::npos) return "";  // cut off by the size cap: no title
  std::string_view raw = html.substr(start, close - start);

  std::string decoded;
  for (size_t i = 0; i < raw.size();) {
    if (raw[i] == '&') {
      if (size_t used = DecodeReference(raw.substr(i), &decoded)) {
        i += used;
        continue;
      }
    }
    decoded += raw[i++];
  }
  if (!simdjson::validate_utf8(decoded.data(), decoded.size())) return "";
  std::string title;
  bool space = false;
  for (unsigned char c : decoded) {
    if (std::isspace(c)) {
      space = !title.empty();
      continue;
    }
    if (c < 0x20 || c == 0x7f) continue;
    if (space) title += ' ';
    space = false;
    title += static_cast<char>(c);
  }
  if (title.size() > max_bytes) {
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(title[cut]) & 0xC0) == 0x80) --cut;
    title.resize(cut);
    while (!title.empty() && title.back() == ' ') title.pop_back();
  }
  return title;
}

}  // namespace shortlink::admin::shortenworld
