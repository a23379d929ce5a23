// The pure input parsing of the handlers (links/link_routes.h, http/router.h): request
// targets, list parameters, the {shortUrl} path segment and create bodies,
// without a server. Cases found by the fuzzers (tests/fuzz) stay here too.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "http/http_types.h"
#include "http/json_input.h"
#include "http/router.h"
#include "links/link_routes.h"

namespace shortlink::admin {
namespace {

constexpr int64_t kNowMs = 1'800'000'000'000;  // the clock create bodies are judged by

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
  RequestContext rc{req, {}, {}, {}, {}, {}, {}, {}};
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
  auto create = ParseCreateLink(*obj, policy, 7, kNowMs);
  REQUIRE(create.ok());
  CHECK(create->long_url == "https://example.com/r");
  CHECK(create->code == "hello-1");
  CHECK(create->owner == 7);

  obj = ParseJsonObject(R"({"longUrl": "https://go.example/loop"})");
  REQUIRE(obj.ok());
  CHECK_FALSE(ParseCreateLink(*obj, policy, 7, kNowMs).ok());
  obj = ParseJsonObject(R"({"longUrl": 5})");
  REQUIRE(obj.ok());
  auto wrong_type = ParseCreateLink(*obj, policy, 7, kNowMs);
  REQUIRE_FALSE(wrong_type.ok());
  CHECK(wrong_type.error().message == "longUrl must be a string.");
}

TEST_CASE("a create body with a field it does not know is refused, naming the field",
          "[handlers]") {
  UrlPolicy policy{"go.example", DefaultShortenerBlocklist()};
  auto refusal = [&](std::string_view body) {
    INFO(body);
    auto obj = ParseJsonObject(body);
    REQUIRE(obj.ok());
    auto create = ParseCreateLink(*obj, policy, 7, kNowMs);
    REQUIRE_FALSE(create.ok());
    CHECK(create.error().code == ErrorCode::kInvalidArgument);
    CHECK(ErrorBodyParses(create.error()));
    return create.error().message;
  };
  // What a client sent: the typo made a random code, silently.
  CHECK(refusal(R"({"longUrl": "https://example.com/", "shortURL": "typo-field"})") ==
        "Unknown field \"shortURL\" (did you mean \"shortUrl\"?).");
  CHECK(refusal(R"({"longUrl": "https://example.com/", "colour": "red"})") ==
        "Unknown field \"colour\".");
  CHECK(refusal(R"({"longUrl": "https://example.com/", "state": "ACTIVE"})") ==
        "Unknown field \"state\".");  // state is PATCH's, not create's
  // A long key is quoted back shortened, cut between UTF-8 characters.
  std::string long_key(63, 'k');
  long_key += "\xc3\xa9" + std::string(1000, 'x');
  std::string message = refusal(R"({"longUrl": "https://example.com/", ")" + long_key + R"(": 1})");
  CHECK(message == "Unknown field \"" + std::string(63, 'k') + "...\".");
  // Every field of a link is known.
  auto obj = ParseJsonObject(R"({"longUrl": "https://example.com/", "shortUrl": "ok", "title": "t",
      "tags": ["a"], "hidden": false, "expiresAt": null, "expiredUrl": null, "maxClicks": null,
      "clickLimitUrl": null, "clickType": "ALL", "uniqueWindowMinutes": null, "password": null,
      "deviceTargets": null, "abTargets": null, "utm": null, "forwardQuery": false,
      "redirectType": null})");
  REQUIRE(obj.ok());
  auto all = ParseCreateLink(*obj, policy, 7, kNowMs);
  if (!all.ok()) FAIL(all.error().message);
}

TEST_CASE("OnlyKnownFields takes the keys of either list and nothing else", "[handlers]") {
  constexpr std::string_view kOne[] = {"email"};
  constexpr std::string_view kTwo[] = {"role"};
  auto obj = ParseJsonObject(R"({"email": "a@b.c", "role": "member"})");
  REQUIRE(obj.ok());
  CHECK(OnlyKnownFields(*obj, kOne, kTwo).ok());
  auto refused = OnlyKnownFields(*obj, kOne);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "Unknown field \"role\".");
  obj = ParseJsonObject("{}");
  REQUIRE(obj.ok());
  CHECK(OnlyKnownFields(*obj, kOne).ok());
}

}  // namespace shortlink::admin
