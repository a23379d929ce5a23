#include "json_input.h"

namespace shortlink::admin {

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

}  // namespace shortlink::admin
