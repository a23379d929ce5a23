#include "http/json_input.h"

#include <cctype>

namespace shortlink::admin {
namespace {

constexpr size_t kMaxQuotedKeyBytes = 64;

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Whether `key` is `known` mistyped: the same ignoring ASCII case, or one
// character added, dropped or changed ("shortURL", "expiresInDay").
bool LooksLike(std::string_view key, std::string_view known) {
  if (key.size() + 1 < known.size() || known.size() + 1 < key.size()) return false;
  size_t i = 0, j = 0, edits = 0;
  while (i < key.size() && j < known.size()) {
    if (Lower(key[i]) == Lower(known[j])) {
      ++i, ++j;
      continue;
    }
    if (++edits > 1) return false;
    if (key.size() > known.size())
      ++i;
    else if (key.size() < known.size())
      ++j;
    else
      ++i, ++j;
  }
  return edits + (key.size() - i) + (known.size() - j) <= 1;
}

// At most kMaxQuotedKeyBytes, cut on a UTF-8 character boundary (simdjson
// has checked the key is UTF-8), so the error body stays valid JSON.
std::string Shortened(std::string_view key) {
  if (key.size() <= kMaxQuotedKeyBytes) return std::string(key);
  size_t end = kMaxQuotedKeyBytes;
  while (end > 0 && (static_cast<unsigned char>(key[end]) & 0xC0) == 0x80) --end;
  return std::string(key.substr(0, end)) + "...";
}

}  // namespace

Result<simdjson::dom::object> ParseJsonObject(std::string_view body) {
  // One parser per thread, reused: its buffers grow once to the largest body.
  thread_local simdjson::dom::parser parser(1 << 20 /* max bytes, the body limit */);
  thread_local bool sized = [] {
    return parser.allocate(4096, kMaxJsonDepth) == simdjson::SUCCESS;
  }();
  if (!sized) return MakeError(ErrorCode::kInternal, "Internal server error");
  if (body.empty())
    return MakeError(ErrorCode::kInvalidArgument, "Request body must be a JSON object.");
  simdjson::dom::element root;
  auto error = parser.parse(body.data(), body.size()).get(root);
  if (error == simdjson::DEPTH_ERROR) {
    return MakeError(ErrorCode::kInvalidArgument, "JSON body is nested too deeply.");
  }
  if (error) return MakeError(ErrorCode::kInvalidArgument, "Request body is not valid JSON.");
  simdjson::dom::object obj;
  if (root.get(obj))
    return MakeError(ErrorCode::kInvalidArgument, "Request body must be a JSON object.");
  return obj;
}

Result<std::optional<std::string>> OptionalString(const simdjson::dom::object& obj,
                                                  std::string_view field) {
  simdjson::dom::element value;
  if (obj.at_key(field).get(value)) return std::optional<std::string>();
  if (value.is_null()) return std::optional<std::string>();
  std::string_view text;
  if (value.get(text))
    return MakeError(ErrorCode::kInvalidArgument, std::string(field) + " must be a string.");
  return std::optional<std::string>(std::string(text));
}

Status OnlyKnownFields(const simdjson::dom::object& obj, std::span<const std::string_view> known,
                       std::span<const std::string_view> more) {
  for (auto [key, value] : obj) {
    bool found = false;
    std::string_view near;
    for (auto list : {known, more}) {
      for (std::string_view k : list) {
        found = found || k == key;
        if (near.empty() && LooksLike(key, k)) near = k;
      }
    }
    if (found) continue;
    std::string message = "Unknown field \"" + Shortened(key) + "\"";
    if (!near.empty()) message += " (did you mean \"" + std::string(near) + "\"?)";
    return MakeError(ErrorCode::kInvalidArgument, message + ".");
  }
  return Status::Ok();
}

}  // namespace shortlink::admin
