#include "dashboard/asset_response.h"

#include <algorithm>

#include "dashboard/embedded_files.h"

namespace shortlink::admin::dashboard {
namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Calls `each` with every comma-separated element of a header list, trimmed.
template <class F>
void ForEachListElement(std::string_view list, F each) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    each(TrimSpaces(list.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// Whether Accept-Encoding takes gzip (RFC 9110 12.5.3): listed by name or
// as "*", and not with q=0.
bool AcceptsGzip(std::string_view accept_encoding) {
  bool accepted = false;
  ForEachListElement(accept_encoding, [&](std::string_view element) {
    std::string_view coding = TrimSpaces(element.substr(0, element.find(';')));
    if (!EqualsIgnoringCase(coding, "gzip") && coding != "*") return;
    std::string_view params =
        element.find(';') == std::string_view::npos ? "" : element.substr(element.find(';') + 1);
    std::string_view q = TrimSpaces(params);
    bool refused = q.size() >= 3 && EqualsIgnoringCase(q.substr(0, 2), "q=") &&
                   q.substr(2).find_first_not_of("0.") == std::string_view::npos;
    if (!refused) accepted = true;
  });
  return accepted;
}

// Whether If-None-Match names `etag` (weakly compared, RFC 9110 13.1.2), or is "*".
bool MatchesETag(std::string_view if_none_match, std::string_view etag) {
  bool matched = false;
  ForEachListElement(if_none_match, [&](std::string_view tag) {
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) matched = true;
  });
  return matched;
}

const EmbeddedFile* Find(std::string_view name) {
  auto files = EmbeddedFiles();
  auto it = std::find_if(files.begin(), files.end(),
                         [name](const EmbeddedFile& f) { return f.name == name; });
  return it == files.end() ? nullptr : &*it;
}

void SetSecurityHeaders(Response* res) {
  res->set("Content-Security-Policy", kContentSecurityPolicy);
  res->set("X-Content-Type-Options", "nosniff");
  res->set("Referrer-Policy", "no-referrer");
  // frame-ancestors covers current browsers; X-Frame-Options the older ones.
  res->set("X-Frame-Options", "DENY");
}

}  // namespace

std::string_view ContentTypeOf(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [extension, type] : kTypes)
    if (name.ends_with(extension)) return type;
  return "application/octet-stream";
}

Response AssetResponse(const Request& req, std::string_view name) {
  const EmbeddedFile* file = Find(name);
  if (!file) {
    Response res =
        JsonError(http::status::not_found, "Not found.", req.version(), req.keep_alive());
    SetSecurityHeaders(&res);
    return res;
  }
  Response res{http::status::ok, req.version()};
  res.keep_alive(req.keep_alive());
  SetSecurityHeaders(&res);
  res.set(http::field::content_type, ContentTypeOf(file->name));
  res.set(http::field::cache_control, "no-cache");
  res.set(http::field::etag, file->etag);
  res.set(http::field::vary, "Accept-Encoding");
  if (auto it = req.find(http::field::if_none_match);
      it != req.end() && MatchesETag(it->value(), file->etag)) {
    res.result(http::status::not_modified);
    res.prepare_payload();  // no body (RFC 9110 15.4.5)
    return res;
  }
  auto accept = req.find(http::field::accept_encoding);
  if (accept != req.end() && AcceptsGzip(accept->value())) {
    res.set(http::field::content_encoding, "gzip");
    res.body() = std::string(file->gzip);
  } else {
    res.body() = std::string(file->body);
  }
  res.prepare_payload();
  return res;
}

}  // namespace shortlink::admin::dashboard
