// Paging of a list route: Shorten World's `page` (from 0) and `size`
// (default 20), or the Go API's `limit` and `offset`; not both styles.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "common/result.h"

namespace shortlink::admin {

struct Paging {
  size_t offset = 0;
  size_t limit = 20;
  bool by_page = true;  // page/size (else limit/offset), for the answer's echo

  // Adds "total" and the paging's own fields (page and size, or limit and
  // offset) to a list answer.
  void Describe(size_t total, boost::json::object* body) const;
  // A list answer's body: {"items": items, "total": total, and the paging's fields}.
  std::string ListBody(boost::json::array items, size_t total) const;
};

inline constexpr size_t kMaxPageSize = 100;

Result<Paging> ParsePaging(const std::map<std::string, std::string>& query);

// A query parameter that must be a whole number in [min, max]; the 400 names it.
Result<size_t> ParseCount(const std::string& name, const std::string& text, size_t min, size_t max);

}  // namespace shortlink::admin
