// Reading JSON request bodies with simdjson, refusing what we cannot trust:
// malformed text, nesting deeper than kMaxJsonDepth, a top level that is not
// an object, fields of the wrong type, fields it does not know.
#pragma once

#include <simdjson.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace shortlink::admin {

inline constexpr size_t kMaxJsonDepth = 32;

// A parsed object, valid until the next ParseJsonObject on this thread.
Result<simdjson::dom::object> ParseJsonObject(std::string_view body);

// Optional string field: absent -> nullopt; present but not a string -> error.
Result<std::optional<std::string>> OptionalString(const simdjson::dom::object& obj,
                                                  std::string_view field);

// 400 naming the first key of `obj` that is neither in `known` nor in
// `more`: a misspelt field ("shortURL") must not be dropped silently, or the
// client believes it was applied. The name is quoted back, shortened to 64
// bytes; a key that looks like a known one mistyped gets a hint.
Status OnlyKnownFields(const simdjson::dom::object& obj, std::span<const std::string_view> known,
                       std::span<const std::string_view> more = {});

}  // namespace shortlink::admin
