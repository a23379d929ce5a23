// The parameters of a Shorten World call (../shared/reference/shortenworld-api.txt),
// read the way its integrators send them: the document lists "possible
// parameters" per call without saying where they go, and its clients send
// them as a JSON body even on GET. So both count: the query string's, then
// the JSON body's fields over them. Values are typed as the document types
// them but read leniently where JSON and query strings differ: a Number may
// come as its digits in a string ("clickType": "1"), a Boolean as "true".
//
// Thread safety: a plain value.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace shortlink::admin::shortenworld {

class Params {
 public:
  // 400 for a body that is neither empty nor a JSON object.
  static Result<Params> FromRequest(const std::map<std::string, std::string>& query,
                                    std::string_view body);
  static Params FromObject(boost::json::object values) { return Params(std::move(values)); }

  bool Has(std::string_view name) const;  // present and not null
  // A string (a number as its decimal digits); 400 naming `name` otherwise.
  Result<std::optional<std::string>> String(std::string_view name) const;
  // A whole number, or its digits in a string.
  Result<std::optional<int64_t>> Whole(std::string_view name) const;
  // true/false, or "true"/"false".
  Result<std::optional<bool>> Bool(std::string_view name) const;
  // The value as sent (null when absent).
  const boost::json::value* Raw(std::string_view name) const;
  // String(name), 400 "<name> is required." when absent or empty.
  Result<std::string> Required(std::string_view name) const;

 private:
  explicit Params(boost::json::object values) : values_(std::move(values)) {}
  boost::json::object values_;
};

}  // namespace shortlink::admin::shortenworld
