#include "http/paging.h"

#include <boost/json/serialize.hpp>
#include <charconv>

namespace shortlink::admin {
namespace {

Result<size_t> Count(const std::map<std::string, std::string>& query, const std::string& key,
                     size_t fallback, size_t least, size_t most) {
  auto it = query.find(key);
  if (it == query.end()) return fallback;
  return ParseCount(key, it->second, least, most);
}

}  // namespace

Result<size_t> ParseCount(const std::string& name, const std::string& text, size_t min,
                          size_t max) {
  size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return MakeError(ErrorCode::kInvalidArgument, name + " must be a whole number from " +
                                                      std::to_string(min) + " to " +
                                                      std::to_string(max) + ".");
  }
  return value;
}

Result<Paging> ParsePaging(const std::map<std::string, std::string>& query) {
  bool pages = query.count("page") || query.count("size");
  bool offsets = query.count("limit") || query.count("offset");
  if (pages && offsets)
    return MakeError(ErrorCode::kInvalidArgument,
                     "Give page and size, or limit and offset, not both.");
  Paging p;
  if (offsets) {
    auto limit = Count(query, "limit", 20, 1, kMaxPageSize);
    if (!limit.ok()) return limit.error();
    auto offset = Count(query, "offset", 0, 0, 1'000'000'000);
    if (!offset.ok()) return offset.error();
    p.limit = *limit;
    p.offset = *offset;
    p.by_page = false;
    return p;
  }
  auto size = Count(query, "size", 20, 1, kMaxPageSize);
  if (!size.ok()) return size.error();
  auto page = Count(query, "page", 0, 0, 10'000'000);
  if (!page.ok()) return page.error();
  p.limit = *size;
  p.offset = *page * *size;
  return p;
}

void Paging::Describe(size_t total, boost::json::object* body) const {
  (*body)["total"] = total;
  if (by_page) {
    (*body)["page"] = offset / limit;
    (*body)["size"] = limit;
  } else {
    (*body)["limit"] = limit;
    (*body)["offset"] = offset;
  }
}

std::string Paging::ListBody(boost::json::array items, size_t total) const {
  boost::json::object body;
  body["items"] = std::move(items);
  Describe(total, &body);
  return boost::json::serialize(body);
}

}  // namespace shortlink::admin
