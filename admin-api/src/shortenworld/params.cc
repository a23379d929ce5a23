#include "shortenworld/params.h"

#include <boost/json/parse.hpp>
#include <charconv>

namespace shortlink::admin::shortenworld {
namespace {

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

Result<Params> Params::FromRequest(const std::map<std::string, std::string>& query,
                                   std::string_view body) {
  boost::json::object values;
  for (const auto& [key, value] : query) values[key] = value;
  bool blank = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (blank) return Params(std::move(values));
  boost::system::error_code ec;
  // Depth is capped by the parser's default (32), as json_input.h caps it.
  boost::json::value parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_object()) return Invalid("The body must be a JSON object.");
  for (auto& [key, value] : parsed.as_object()) values[key] = std::move(value);
  return Params(std::move(values));
}

const boost::json::value* Params::Raw(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

bool Params::Has(std::string_view name) const { return Raw(name) != nullptr; }

Result<std::optional<std::string>> Params::String(std::string_view name) const {
  const boost::json::value* v = Raw(name);
  if (!v) return std::optional<std::string>();
  if (v->is_string()) return std::optional<std::string>(std::string(v->as_string()));
  if (v->is_int64()) return std::optional<std::string>(std::to_string(v->as_int64()));
  if (v->is_uint64()) return std::optional<std::string>(std::to_string(v->as_uint64()));
  return Invalid(std::string(name) + " must be a string.");
}

Result<std::optional<int64_t>> Params::Whole(std::string_view name) const {
  const boost::json::value* v = Raw(name);
  if (!v) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->as_int64());
  if (v->is_string()) {
    std::string_view text = v->as_string();
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (!text.empty() && ec == std::errc() && end == text.data() + text.size())
      return std::optional<int64_t>(n);
  }
  return Invalid(std::string(name) + " must be a whole number.");
}

Result<std::optional<bool>> Params::Bool(std::string_view name) const {
  const boost::json::value* v = Raw(name);
  if (!v) return std::optional<bool>();
  if (v->is_bool()) return std::optional<bool>(v->as_bool());
  if (v->is_string() && v->as_string() == "true") return std::optional<bool>(true);
  if (v->is_string() && v->as_string() == "false") return std::optional<bool>(false);
  return Invalid(std::string(name) + " must be true or false.");
}

Result<std::string> Params::Required(std::string_view name) const {
  auto text = String(name);
  if (!text.ok()) return text.error();
  if (!*text || (*text)->empty()) return Invalid(std::string(name) + " is required.");
  return std::move(**text);
}

}  // namespace shortlink::admin::shortenworld
