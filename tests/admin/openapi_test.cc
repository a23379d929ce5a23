// The OpenAPI document must describe every route the router serves: a route
// added without documentation fails here.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "all_routes.h"
#include "links/link_json.h"
#include "openapi_document.h"

namespace shortlink::admin {
namespace {

// The YAML block of one path: from "  /path:" to the next path at the same indent.
std::string PathBlock(const std::string& doc, std::string_view pattern) {
  std::string header = "\n  " + std::string(pattern) + ":\n";
  auto start = doc.find(header);
  if (start == std::string::npos) return "";
  auto end = start + header.size();
  for (;;) {
    auto next = doc.find('\n', end);
    if (next == std::string::npos || next + 3 >= doc.size()) return doc.substr(start);
    // A line with exactly two spaces of indent starts the next path; no indent ends "paths".
    bool two = doc.compare(next + 1, 2, "  ") == 0 && doc[next + 3] != ' ';
    bool zero = doc[next + 1] != ' ' && doc[next + 1] != '\n';
    if (two || zero) return doc.substr(start, next - start);
    end = next + 1;
  }
}

// The block of one operation ("    get:" and what it holds) inside a path block.
std::string OperationBlock(const std::string& path_block, std::string_view method) {
  std::string header = "\n    " + std::string(method) + ":\n";
  auto start = path_block.find(header);
  if (start == std::string::npos) return "";
  auto end = start + header.size();
  for (;;) {
    auto next = path_block.find('\n', end);
    if (next == std::string::npos || next + 5 >= path_block.size()) return path_block.substr(start);
    bool four = path_block.compare(next + 1, 4, "    ") == 0 && path_block[next + 5] != ' ';
    if (four) return path_block.substr(start, next - start);
    end = next + 1;
  }
}

std::string ReadDocument() {
  std::ifstream file(SHORTLINK_OPENAPI_PATH);
  std::stringstream ss;
  ss << file.rdbuf();
  return ss.str();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

TEST_CASE("every route is in openapi.yaml, with its method", "[openapi]") {
  std::ifstream file(SHORTLINK_OPENAPI_PATH);
  REQUIRE(file);
  std::stringstream ss;
  ss << file.rdbuf();
  const std::string doc = ss.str();
  REQUIRE(doc == std::string(kOpenApiDocument));  // the served copy is the file

  testing::AllRoutes all;
  for (const Route& route : all.router.routes()) {
    std::string method(http::to_string(route.method));
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    INFO(method << " " << route.pattern);
    std::string block = PathBlock(doc, route.pattern);
    REQUIRE_FALSE(block.empty());
    CHECK(block.find("\n    " + method + ":") != std::string::npos);
  }
}

TEST_CASE("every field a link can answer with is in openapi.yaml", "[openapi]") {
  const std::string doc(kOpenApiDocument);
  Link link;
  link.title = "t";
  link.tags = {"x"};
  link.hidden = true;
  LinkRules& r = link.rules;
  r.expires_at_ms = 1;
  r.expired_url = r.click_limit_url = "https://example.com/";
  r.max_clicks = 1;
  r.click_type = ClickType::kUnique;
  r.unique_window_minutes = 1;
  r.password_hash = "$argon2id$";
  r.devices = {"https://i.example/", "https://a.example/", "https://w.example/",
               "https://m.example/"};
  r.ab_targets = {{"https://a.example/", 100}};
  r.utm = {"s", "m", "c", "t", "c"};
  r.forward_query = true;
  r.redirect_type = 301;
  auto has_property = [&](std::string_view name) {
    std::string key = std::string(name) + ":";
    for (size_t pos = doc.find(key); pos != std::string::npos; pos = doc.find(key, pos + 1))
      if (pos > 0 && (doc[pos - 1] == ' ' || doc[pos - 1] == '{')) return true;
    return false;
  };
  for (const auto& [key, value] : LinkToJson(link)) {
    INFO(key);
    CHECK(has_property(key));
    if (value.is_object())
      for (const auto& [sub, unused] : value.as_object()) CHECK(has_property(sub));
  }
  CHECK(has_property("password"));  // write-only
  std::string list = OperationBlock(PathBlock(doc, "/api/v1/urls"), "get");
  CHECK(list.find("- name: hidden\n          in: query") != std::string::npos);
  CHECK(list.find("- name: tag\n          in: query") != std::string::npos);
}

// What the router and the HTTP layer answer on every route, whatever the
// handler does: each operation must declare it (issue 17: 429, 413 and 405
// were sent but undeclared, and no operation had an operationId).
TEST_CASE("each operation declares the statuses the server sends on its route, and an id",
          "[openapi]") {
  const std::string doc = ReadDocument();
  std::set<std::string> ids;
  testing::AllRoutes all;
  for (const Route& route : all.router.routes()) {
    std::string method = Lower(http::to_string(route.method));
    INFO(method << " " << route.pattern);
    std::string op = OperationBlock(PathBlock(doc, route.pattern), method);
    REQUIRE_FALSE(op.empty());
    auto declares = [&](std::string_view status) {
      return op.find("\n        '" + std::string(status) + "':") != std::string::npos;
    };
    auto id_at = op.find("\n      operationId: ");
    REQUIRE(id_at != std::string::npos);
    auto id_end = op.find('\n', id_at + 1);
    std::string id = op.substr(id_at + 20, id_end - id_at - 20);
    CHECK(ids.insert(id).second);  // unique
    // Every path answers the methods it does not serve with 405 and Allow.
    CHECK(declares("405"));
    if (route.auth != Auth::kNone) CHECK(declares("401"));
    if (route.auth == Auth::kApiKey) CHECK(declares("429"));  // the per-user rate limit
    // A body over 1 MiB is refused before routing.
    if (route.method == http::verb::post || route.method == http::verb::patch) {
      CHECK(op.find("\n      requestBody:") != std::string::npos);
      CHECK(declares("413"));
    }
  }
  CHECK(ids.size() == all.router.routes().size());
}

// The shapes redocly checks only loosely: flow mappings whose plain scalars
// hold ", " or end in "://}" parse into stray keys or break other parsers
// (issue 17: "description: The new key, with its secret" became a key
// "with its secret"; dredd refused "Must start with https://}").
TEST_CASE("no plain scalar in a flow mapping holds a comma or a URL scheme", "[openapi]") {
  const std::string doc = ReadDocument();
  std::istringstream lines(doc);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    auto open = line.find("{description: ");
    if (open == std::string::npos) open = line.find(", description: ");
    if (open == std::string::npos) continue;
    INFO("line " << number << ": " << line);
    auto value = line.find("description: ", open) + 13;
    char first = line[value];
    if (first == '\'' || first == '"') continue;  // quoted: commas are text
    auto end = line.find_first_of(",}", value);
    REQUIRE(end != std::string::npos);
    // The plain scalar must end where the mapping's next key, or its end, is.
    static const std::regex kNextKeyOrEnd(R"(^(, ['A-Za-z0-9$_-]+: |\}))");
    CHECK(std::regex_search(line.substr(end), kNextKeyOrEnd));
    CHECK(std::string_view(line).substr(value, end - value).find("://") == std::string::npos);
  }
}

// The server's rule for codes (common/src/validation.cc NormalizeCode) and
// for target URLs, as patterns clients can check before sending.
TEST_CASE("shortUrl, URL and email fields carry their patterns and formats", "[openapi]") {
  const std::string doc = ReadDocument();
  CHECK(doc.find("pattern: '^[A-Za-z0-9-]{1,64}$'") != std::string::npos);  // input: any case
  CHECK(doc.find("shortUrl: {type: string, pattern: '^[a-z0-9-]{1,64}$'") !=
        std::string::npos);  // as answered: lowercased
  CHECK(doc.find("format: uri\n      pattern: '^[Hh][Tt][Tt][Pp][Ss]://'\n      maxLength: 2048") !=
        std::string::npos);
  CHECK(doc.find("type: string\n                  format: email") != std::string::npos);
  // Every path or query parameter has an example.
  size_t params = 0;
  for (size_t at = doc.find("- name: "); at != std::string::npos;
       at = doc.find("- name: ", at + 1)) {
    auto next = doc.find("- name: ", at + 1);
    std::string param = doc.substr(at, next == std::string::npos ? std::string::npos : next - at);
    param = param.substr(0, param.find("\n  /"));  // not past the path
    std::string first_two = param.substr(0, param.find('\n', param.find('\n') + 1));
    if (first_two.find("in: query") == std::string::npos &&
        first_two.find("in: path") == std::string::npos)
      continue;  // a tag
    ++params;
    INFO(param.substr(0, param.find('\n')));
    CHECK(param.find("example: ") != std::string::npos);
  }
  // 48, teamId of the three tracker paths, and /v1's trackers and
  // campaign lists: teamId of /api/v1/campaigns, /v1/campaign/list and
  // /v1/team/tracker/list, linkTrackerId and linkId of /v1/link/tracker/delete.
  CHECK(params == 56);
}

TEST_CASE("the helper finds path blocks and not their neighbours", "[openapi]") {
  std::string doc =
      "paths:\n  /a:\n    get:\n      x: 1\n  /a/b:\n    post:\n      y: 2\ncomponents:\n";
  CHECK(PathBlock(doc, "/a").find("get:") != std::string::npos);
  CHECK(PathBlock(doc, "/a").find("post:") == std::string::npos);
  CHECK(PathBlock(doc, "/a/b").find("post:") != std::string::npos);
  CHECK(PathBlock(doc, "/missing").empty());
}

}  // namespace shortlink::admin
