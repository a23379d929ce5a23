// The OpenAPI document must describe every route the router serves: a route
// added without documentation fails here.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "link_json.h"
#include "openapi_document.h"
#include "router.h"

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

}  // namespace

TEST_CASE("every route is in openapi.yaml, with its method") {
  std::ifstream file(SHORTLINK_OPENAPI_PATH);
  REQUIRE(file);
  std::stringstream ss;
  ss << file.rdbuf();
  const std::string doc = ss.str();
  REQUIRE(doc == std::string(kOpenApiDocument));  // the served copy is the file

  for (const Route& route : Routes()) {
    std::string method(http::to_string(route.method));
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    INFO(method << " " << route.pattern);
    std::string block = PathBlock(doc, route.pattern);
    REQUIRE_FALSE(block.empty());
    CHECK(block.find("\n    " + method + ":") != std::string::npos);
  }
}

TEST_CASE("every field a link can answer with is in openapi.yaml") {
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
  CHECK(doc.find("{name: hidden, in: query") != std::string::npos);
  CHECK(doc.find("{name: tag, in: query") != std::string::npos);
}

TEST_CASE("the helper finds path blocks and not their neighbours") {
  std::string doc =
      "paths:\n  /a:\n    get:\n      x: 1\n  /a/b:\n    post:\n      y: 2\ncomponents:\n";
  CHECK(PathBlock(doc, "/a").find("get:") != std::string::npos);
  CHECK(PathBlock(doc, "/a").find("post:") == std::string::npos);
  CHECK(PathBlock(doc, "/a/b").find("post:") != std::string::npos);
  CHECK(PathBlock(doc, "/missing").empty());
}

}  // namespace shortlink::admin
