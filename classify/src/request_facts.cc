// Language, referrer and source of a visit, from header values a client
// controls entirely: every function takes any bytes, never throws, and
// returns a short value of a fixed alphabet (it becomes a dimension value in
// click batches and a row in analytics), falling back to "none" or
// "direct" rather than passing on what it cannot read.
#include "classify/request_facts.h"

#include <cstdint>

namespace shortlink::classify {
namespace {

constexpr size_t kMaxLanguageBytes = 16;
constexpr size_t kMaxHostBytes = 253;  // the longest DNS name
constexpr size_t kMaxSourceBytes = 64;

char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits `s` at the first `separator`: returns what precedes it and leaves
// the rest (everything when there is none).
std::string_view NextPart(std::string_view* s, char separator) {
  const size_t at = s->find(separator);
  std::string_view part = s->substr(0, at);
  s->remove_prefix(at == std::string_view::npos ? s->size() : at + 1);
  return part;
}

// RFC 9110's qvalue ("0", "0.8", "1.000") in thousandths; -1 when it is not
// one (a range with a broken weight is skipped, not guessed at).
int ParseQuality(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return -1;
  int thousandths = (q[0] - '0') * 1000;
  if (q.size() == 1) return thousandths;
  if (q[1] != '.' || q.size() > 5) return -1;
  int scale = 100;
  for (char c : q.substr(2)) {
    if (!IsDigit(c)) return -1;
    thousandths += (c - '0') * scale;
    scale /= 10;
  }
  return thousandths <= 1000 ? thousandths : -1;
}

// A language range as we keep it: lower case, '_' read as '-' (some
// Android apps send "en_US"), starting with a letter, only [a-z0-9-], cut
// to kMaxLanguageBytes. Held in place: a candidate costs no allocation.
struct Language {
  char bytes[kMaxLanguageBytes];
  size_t size = 0;
};

// False when `range` is not one ("*", garbage).
bool CleanLanguage(std::string_view range, Language* out) {
  if (range.empty() || !IsAlpha(range[0])) return false;
  out->size = 0;
  for (char c : range) {
    if (c == '_') c = '-';
    if (!IsAlpha(c) && !IsDigit(c) && c != '-') return false;
    if (out->size < kMaxLanguageBytes) out->bytes[out->size++] = ToLower(c);
  }
  while (out->size > 0 && out->bytes[out->size - 1] == '-') --out->size;
  return true;
}

// A host name's bytes as browsers serialize them: ASCII letters, digits,
// '-', '_' and '.', with no empty label.
bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostBytes) return false;
  char previous = '.';
  for (char c : host) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '-' && c != '_' && c != '.') return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

// "[2001:db8::1]": hex digits, ':' and '.' (an embedded IPv4) in brackets.
bool IsIpv6Literal(std::string_view host) {
  if (host.size() < 4 || host.size() > 2 + 45 || host.front() != '[' || host.back() != ']') {
    return false;
  }
  for (char c : host.substr(1, host.size() - 2)) {
    const bool hex = IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex && c != ':' && c != '.') return false;
  }
  return true;
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PrimaryLanguage(std::string_view accept_language) {
  Language best;
  int best_quality = 0;  // q=0 means "not acceptable": never chosen
  while (!accept_language.empty()) {
    std::string_view item = NextPart(&accept_language, ',');
    const std::string_view range = Trim(NextPart(&item, ';'));
    int quality = 1000;
    while (!item.empty()) {
      const std::string_view param = Trim(NextPart(&item, ';'));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        quality = ParseQuality(param.substr(2));
      }
    }
    if (quality <= best_quality) continue;  // also a broken weight (-1), and ties: first wins
    Language language;
    if (!CleanLanguage(range, &language)) continue;
    best = language;
    best_quality = quality;
  }
  return best.size == 0 ? "none" : std::string(best.bytes, best.size);
}

std::string ReferrerHost(std::string_view referer) {
  std::string_view rest = Trim(referer);
  const auto starts_with_scheme = [&](std::string_view scheme) {
    if (rest.size() < scheme.size()) return false;
    for (size_t i = 0; i < scheme.size(); ++i) {
      if (ToLower(rest[i]) != scheme[i]) return false;
    }
    return true;
  };
  if (starts_with_scheme("https://")) {
    rest.remove_prefix(8);
  } else if (starts_with_scheme("http://")) {
    rest.remove_prefix(7);
  } else {
    return "direct";
  }

  // The authority ends at the path, query or fragment (a backslash too:
  // browsers read it as '/' in http URLs).
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#\\"));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host;
  if (!authority.empty() && authority.front() == '[') {
    host = authority.substr(0, authority.find(']') + 1);  // npos + 1 == 0: no host
    if (!IsIpv6Literal(host)) return "direct";
  } else {
    host = authority.substr(0, authority.find(':'));
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    if (!IsHostName(host) || host.back() == '.') return "direct";
  }

  std::string out;
  out.reserve(host.size());
  for (char c : host) out.push_back(ToLower(c));
  if (out.size() > 4 && out.compare(0, 4, "www.") == 0) out.erase(0, 4);
  return out;
}

std::string SourceOf(std::string_view query, std::string_view referrer_host) {
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    std::string_view value = NextPart(&query, '&');
    const std::string_view key = NextPart(&value, '=');
    if (key != "utm_source") continue;

    // Form decoding ('+' is a space, as links built by campaign tools
    // write it); a '%' not followed by two hex digits stays as it is.
    std::string source;
    for (size_t i = 0; i < value.size() && source.size() < kMaxSourceBytes; ++i) {
      char c = value[i];
      if (c == '+') {
        c = ' ';
      } else if (c == '%' && i + 2 < value.size() && HexValue(value[i + 1]) >= 0 &&
                 HexValue(value[i + 2]) >= 0) {
        c = static_cast<char>(HexValue(value[i + 1]) * 16 + HexValue(value[i + 2]));
        i += 2;
      }
      if (c < 0x20 || c > 0x7e) continue;  // printable ASCII only
      if (c == ' ' && source.empty()) continue;
      source.push_back(ToLower(c));
    }
    while (!source.empty() && source.back() == ' ') source.pop_back();
    if (!source.empty()) return source;
  }
  return referrer_host.empty() ? "direct" : std::string(referrer_host);
}

}  // namespace shortlink::classify
