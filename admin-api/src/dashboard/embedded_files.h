// The dashboard's files (admin-api/web/), compiled into admin-api by
// embed_assets.cmake: each as is and gzip-compressed, with a strong ETag.
// The data is static and immutable, so any thread may read it at any time.
#pragma once

#include <span>
#include <string_view>

namespace shortlink::admin::dashboard {

struct EmbeddedFile {
  std::string_view name;  // "app.js": one path segment of [A-Za-z0-9._-]
  std::string_view body;
  std::string_view gzip;  // the body gzip-compressed (level 9)
  std::string_view etag;  // "\"<20 hex digits of the body's SHA-256>\""
};

// Every file, sorted by name. Defined in the generated dashboard_files.cc.
std::span<const EmbeddedFile> EmbeddedFiles();

}  // namespace shortlink::admin::dashboard
