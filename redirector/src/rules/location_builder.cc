#include "rules/location_builder.h"

#include <cstring>

namespace shortlink::redirector {
namespace {

struct Sink {
  char* out;
  size_t len;
  size_t capacity;
  bool Fits(size_t n) const { return len + n <= capacity; }
  void Put(std::string_view s) {
    memcpy(out + len, s.data(), s.size());
    len += s.size();
  }
  void Put(char c) { out[len++] = c; }
  std::string_view Written(size_t from) const { return {out + from, len - from}; }
};

std::string_view NameOf(std::string_view param) { return param.substr(0, param.find('=')); }

// Calls visit(param) for each non-empty '&'-separated parameter.
template <typename F>
void ForEachParam(std::string_view query, F&& visit) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    if (!param.empty()) visit(param);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

bool HasName(std::string_view query, std::string_view name) {
  bool found = false;
  ForEachParam(query, [&](std::string_view p) { found = found || NameOf(p) == name; });
  return found;
}

bool Unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool HeaderSafe(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

size_t EncodedSize(std::string_view value) {
  size_t n = 0;
  for (unsigned char c : value) n += Unreserved(c) ? 1 : 3;
  return n;
}

bool LinkSetsUtm(const UtmParameters* utm, std::string_view name) {
  if (!utm) return false;
  for (const UtmField& f : kUtmFields)
    if (name == f.query_name && !(utm->*f.member).empty()) return true;
  return false;
}

}  // namespace

size_t BuildLocation(std::string_view target, const UtmParameters* utm,
                     std::string_view visitor_query, char* out, size_t capacity) {
  size_t hash = target.find('#');
  std::string_view fragment = hash == std::string_view::npos ? "" : target.substr(hash);
  std::string_view before_fragment = target.substr(0, hash);
  size_t question = before_fragment.find('?');
  std::string_view base = before_fragment.substr(0, question);
  std::string_view target_query =
      question == std::string_view::npos ? "" : before_fragment.substr(question + 1);

  Sink sink{out, 0, capacity - fragment.size()};  // room for the fragment is kept
  sink.Put(base);
  size_t query_start = sink.len;  // where our query begins, at its '?'
  auto separator = [&] { sink.Put(sink.len == query_start ? '?' : '&'); };
  auto written_query = [&] {
    std::string_view q = sink.Written(query_start);
    return q.empty() ? q : q.substr(1);
  };

  ForEachParam(target_query, [&](std::string_view param) {
    if (LinkSetsUtm(utm, NameOf(param))) return;
    if (!sink.Fits(param.size() + 1)) return;
    separator();
    sink.Put(param);
  });
  if (utm) {
    for (const UtmField& f : kUtmFields) {
      std::string_view name = f.query_name;
      const std::string& value = utm->*f.member;
      if (value.empty() || !sink.Fits(name.size() + 2 + EncodedSize(value))) continue;
      separator();
      sink.Put(name);
      sink.Put('=');
      static constexpr char kHex[] = "0123456789ABCDEF";
      for (unsigned char c : value) {
        if (Unreserved(c)) {
          sink.Put(static_cast<char>(c));
        } else {
          sink.Put('%');
          sink.Put(kHex[c >> 4]);
          sink.Put(kHex[c & 15]);
        }
      }
    }
  }
  ForEachParam(visitor_query, [&](std::string_view param) {
    if (!HeaderSafe(param) || !sink.Fits(param.size() + 1)) return;
    if (HasName(written_query(), NameOf(param))) return;
    separator();
    sink.Put(param);
  });
  sink.capacity = capacity;
  sink.Put(fragment);
  return sink.len;
}

}  // namespace shortlink::redirector
