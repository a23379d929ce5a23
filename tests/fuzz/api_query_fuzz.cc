// Fuzzes how admin-api reads a request target: the router's decoding into
// path and query parameters (DecodeTarget), the GET /api/v1/urls parameters
// (ParseListQuery) and the {shortUrl} path segment (CodeFromPath), as the
// handlers use them. Any target must be answered, never crash, and:
//   - an accepted list query holds only the documented values (limit
//     1-1000, offset up to 10^9, searchText up to 2048 bytes, the named
//     enumerations), each as the request spelled it;
//   - every refusal is an error reply whose body is valid JSON (UTF-8, as
//     RFC 8259 requires) carrying its message: clients parse these;
//   - the paging of the team, member and domain lists (page/size or
//     limit/offset, ParsePaging) holds only the documented values;
//   - a path's scope endpoint (auth/scopes.h) is a known one or none.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/scopes.h"
#include "fuzz_check.h"
#include "http/http_types.h"
#include "http/paging.h"
#include "http/request_context.h"
#include "http/router.h"
#include "links/link_routes.h"

namespace shortlink::admin {
namespace {

constexpr uint64_t kOwner = 7;

void CheckErrorReply(const Error& error, ErrorCode expected) {
  FUZZ_CHECK(error.code == expected);
  FUZZ_CHECK(!error.message.empty());
  Response res = JsonError(error.code, error.message, 11, true);
  FUZZ_CHECK(res.result() == StatusFor(expected));
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(res.body(), ec);
  FUZZ_CHECK(!ec && body.is_object());
  FUZZ_CHECK(body.as_object()["message"] == boost::json::value(error.message));
}

// The value of `key` as the request gave it, or null.
const std::string* Param(const RequestContext& rc, const char* key) {
  auto it = rc.query.find(key);
  return it == rc.query.end() ? nullptr : &it->second;
}

void CheckList(const RequestContext& rc) {
  auto q = ParseListQuery(rc.query, kOwner);
  if (!q.ok()) return CheckErrorReply(q.error(), ErrorCode::kInvalidArgument);
  FUZZ_CHECK(q->owner == kOwner);
  FUZZ_CHECK(q->limit >= 1 && q->limit <= 1000 && q->offset <= 1'000'000'000);
  FUZZ_CHECK(q->search_text.size() <= 2048);
  if (const std::string* v = Param(rc, "limit"))
    FUZZ_CHECK(std::stoull(*v) == q->limit && v->find_first_not_of("0123456789") == v->npos);
  if (const std::string* v = Param(rc, "offset"))
    FUZZ_CHECK(std::stoull(*v) == q->offset && v->find_first_not_of("0123456789") == v->npos);
  if (const std::string* v = Param(rc, "searchText")) FUZZ_CHECK(*v == q->search_text);
  if (const std::string* v = Param(rc, "state"))
    FUZZ_CHECK(q->state && *v == LinkStateName(*q->state));
  if (const std::string* v = Param(rc, "orderBy"))
    FUZZ_CHECK(*v == (q->order_by == OrderBy::kClicks ? "clicks" : "createdAt"));
  if (const std::string* v = Param(rc, "sortDirection"))
    FUZZ_CHECK(*v == (q->ascending ? "asc" : "desc"));
  if (const std::string* v = Param(rc, "isFile"))
    FUZZ_CHECK(q->is_file && *v == (*q->is_file ? "true" : "false"));
}

void CheckPaging(const RequestContext& rc) {
  auto p = ParsePaging(rc.query);
  if (!p.ok()) return CheckErrorReply(p.error(), ErrorCode::kInvalidArgument);
  FUZZ_CHECK(p->limit >= 1 && p->limit <= kMaxPageSize);
  FUZZ_CHECK(!(Param(rc, "page") || Param(rc, "size")) || p->by_page);
  if (p->by_page) FUZZ_CHECK(p->offset % p->limit == 0);
  if (const std::string* v = Param(rc, "size")) FUZZ_CHECK(std::stoull(*v) == p->limit);
  if (const std::string* v = Param(rc, "limit")) FUZZ_CHECK(std::stoull(*v) == p->limit);
  if (const std::string* v = Param(rc, "offset")) FUZZ_CHECK(std::stoull(*v) == p->offset);
}

// The endpoint a path's scopes would name, read as a route pattern.
void CheckScopeEndpoint(const RequestContext& rc) {
  auto endpoint = auth::EndpointOfPattern(rc.path);
  if (!endpoint) return;
  FUZZ_CHECK(rc.path.starts_with("/api/v1/"));
  FUZZ_CHECK(auth::ParseEndpoint(auth::EndpointName(*endpoint)) == endpoint);
}

// /api/v1/urls/{shortUrl}: the segment after the prefix, as the router
// matches it (one whole segment).
void CheckCodePath(const RequestContext& rc) {
  constexpr std::string_view kPrefix = "/api/v1/urls/";
  std::string_view path = rc.path;
  if (path.substr(0, kPrefix.size()) != kPrefix) return;
  std::string_view param = path.substr(kPrefix.size());
  if (param.empty() || param.find('/') != std::string_view::npos) return;
  auto code = CodeFromPath(param);
  if (!code.ok()) return CheckErrorReply(code.error(), ErrorCode::kNotFound);
  FUZZ_CHECK(!code->empty() && code->size() <= 64);
  FUZZ_CHECK(code->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos);
}

}  // namespace
}  // namespace shortlink::admin

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shortlink::admin;
  std::string_view target(reinterpret_cast<const char*>(data), size);
  Request req;
  RequestContext rc{req, {}, {}, {}, {}, {}, {}, {}};
  if (!DecodeTarget(target, &rc)) return 0;  // the router answers 404
  FUZZ_CHECK(!rc.path.empty() && rc.path[0] == '/');
  FUZZ_CHECK(rc.query_keys.size() >= rc.query.size());
  for (const auto& [key, value] : rc.query)
    FUZZ_CHECK(std::count(rc.query_keys.begin(), rc.query_keys.end(), key) >= 1);
  CheckList(rc);
  CheckCodePath(rc);
  CheckPaging(rc);
  CheckScopeEndpoint(rc);
  return 0;
}
