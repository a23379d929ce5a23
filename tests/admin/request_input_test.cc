// The pure input parsing of the handlers (handlers.h, router.h): request
// targets, list parameters, the {shortUrl} path segment and create bodies,
// without a server. Cases found by the fuzzers (tests/fuzz) stay here too.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "handlers.h"
#include "http_types.h"
#include "router.h"

namespace shortlink::admin {
namespace {

// The error reply's body, parsed as a client would (Boost.JSON refuses
// invalid UTF-8, as RFC 8259 does).
bool ErrorBodyParses(const Error& error) {
  Response res = JsonError(error.code, error.message, 11, true);
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(res.body(), ec);
  return !ec && body.is_object() && body.as_object()["message"] == error.message.c_str();
}

}  // namespace

TEST_CASE("DecodeTarget splits path and query, percent-decoded", "[handlers]") {
  Request req;
  RequestContext rc{req, {}, {}, {}, {}, {}};
  REQUIRE(DecodeTarget("/api/v1/urls?searchText=a%20b&limit=5&limit=7", &rc));
  CHECK(rc.path == "/api/v1/urls");
  CHECK(rc.query.at("searchText") == "a b");
  CHECK(rc.query.at("limit") == "7");  // a repeated key keeps its last value
  CHECK(rc.query_keys == std::vector<std::string>{"searchText", "limit", "limit"});
  RequestContext bad{req, {}, {}, {}, {}, {}};
  CHECK_FALSE(DecodeTarget("http://evil/api/v1/urls", &bad));
}

TEST_CASE("list parameters are checked and refused with a message", "[handlers]") {
  auto q = ParseListQuery({{"limit", "10"},
                           {"offset", "5"},
                           {"state", "INACTIVE"},
                           {"orderBy", "clicks"},
                           {"sortDirection", "asc"},
                           {"isFile", "true"}},
                          7);
  REQUIRE(q.ok());
  CHECK(q->owner == 7);
  CHECK(q->limit == 10);
  CHECK(q->offset == 5);
  CHECK(q->state == LinkState::kInactive);
  CHECK(q->order_by == OrderBy::kClicks);
  CHECK(q->ascending);
  CHECK(q->is_file == true);
  for (auto [key, value] : {std::pair{"limit", "0"},
                            {"limit", "1001"},
                            {"limit", "1x"},
                            {"offset", "-1"},
                            {"state", "active"},
                            {"isFile", "1"}}) {
    INFO(key << "=" << value);
    auto refused = ParseListQuery({{key, value}}, 7);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("a {shortUrl} that cannot be a link is a 404 whose body is valid JSON", "[handlers]") {
  auto code = CodeFromPath("Hello-1");
  REQUIRE(code.ok());
  CHECK(*code == "hello-1");

  auto reserved = CodeFromPath("api");
  REQUIRE_FALSE(reserved.ok());
  CHECK(reserved.error().code == ErrorCode::kNotFound);
  CHECK(reserved.error().message == "Short link \"api\" does not exist.");

  // Found by tests/fuzz/api_query_fuzz.cc: "/api/v1/urls/%0D%B0pi" decodes
  // to bytes that are not UTF-8, and quoting them made the 404 body invalid
  // JSON (regressions/api_query/code_path_invalid_utf8).
  auto binary = CodeFromPath("\r\xb0pi");
  REQUIRE_FALSE(binary.ok());
  CHECK(binary.error().code == ErrorCode::kNotFound);
  CHECK(ErrorBodyParses(binary.error()));
  // Valid UTF-8 (a Cyrillic look-alike "а") is still quoted, JSON-escaped.
  auto lookalike = CodeFromPath("\xd0\xb0pi\r\n");
  REQUIRE_FALSE(lookalike.ok());
  CHECK(ErrorBodyParses(lookalike.error()));
  CHECK(lookalike.error().message.find("\xd0\xb0pi") != std::string::npos);
}

TEST_CASE("a create body is validated into a CreateLink", "[handlers]") {
  UrlPolicy policy{"go.example", DefaultShortenerBlocklist()};
  auto obj = ParseJsonObject(R"({"longUrl": "https://example.com/r", "shortUrl": "Hello-1"})");
  REQUIRE(obj.ok());
  auto create = ParseCreateLink(*obj, policy, 7);
  REQUIRE(create.ok());
  CHECK(create->long_url == "https://example.com/r");
  CHECK(create->code == "hello-1");
  CHECK(create->owner == 7);

  obj = ParseJsonObject(R"({"longUrl": "https://go.example/loop"})");
  REQUIRE(obj.ok());
  CHECK_FALSE(ParseCreateLink(*obj, policy, 7).ok());
  obj = ParseJsonObject(R"({"longUrl": 5})");
  REQUIRE(obj.ok());
  auto wrong_type = ParseCreateLink(*obj, policy, 7);
  REQUIRE_FALSE(wrong_type.ok());
  CHECK(wrong_type.error().message == "longUrl must be a string.");
}

}  // namespace shortlink::admin
