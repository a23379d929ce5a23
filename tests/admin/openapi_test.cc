// The OpenAPI document must describe every route the router serves: a route
// added without documentation fails here.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

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

TEST_CASE("the helper finds path blocks and not their neighbours") {
  std::string doc =
      "paths:\n  /a:\n    get:\n      x: 1\n  /a/b:\n    post:\n      y: 2\ncomponents:\n";
  CHECK(PathBlock(doc, "/a").find("get:") != std::string::npos);
  CHECK(PathBlock(doc, "/a").find("post:") == std::string::npos);
  CHECK(PathBlock(doc, "/a/b").find("post:") != std::string::npos);
  CHECK(PathBlock(doc, "/missing").empty());
}

}  // namespace shortlink::admin
