// Reading JSON request bodies with simdjson, refusing what we cannot trust:
// malformed text, nesting deeper than kMaxJsonDepth, a top level that is not
// an object, fields of the wrong type.
#pragma once

#include <simdjson.h>

#include <optional>
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

}  // namespace shortlink::admin
