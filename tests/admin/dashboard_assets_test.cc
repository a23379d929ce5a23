// The web dashboard's files as admin-api serves them (admin-api/src/dashboard/):
// through the router, as a browser asks for them; the security headers on
// every answer, 404 included; Content-Type per file; gzip only when asked;
// 304 for a known ETag. And what the CSP relies on: no served file holds an
// inline script, an inline style or a credential written to storage.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <regex>
#include <string>

#include "common/metrics.h"
#include "dashboard/asset_response.h"
#include "dashboard/dashboard_routes.h"
#include "dashboard/embedded_files.h"
#include "http/router.h"

namespace shortlink::admin {
namespace {

struct DashboardRouter {
  DashboardRouter() { RegisterDashboardRoutes(router); }

  // GET `target` with `headers`, as the HTTP layer hands a request over.
  Response Get(std::string target,
               std::initializer_list<std::pair<http::field, std::string>> headers = {},
               http::verb method = http::verb::get) {
    Request req{method, target, 11};
    req.set(http::field::host, "x");
    for (const auto& [name, value] : headers) req.set(name, value);
    boost::asio::io_context ioc;
    std::optional<Reply> out;
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> { out = co_await router.Handle(req, "10.0.0.1"); },
        boost::asio::detached);
    ioc.run();
    REQUIRE(out);
    return out->response;
  }

  MetricsRegistry metrics;
  // No route of the dashboard takes a credential: no authenticator needed.
  Router router{&metrics, nullptr, nullptr};
};

const dashboard::EmbeddedFile& FileNamed(std::string_view name) {
  for (const auto& f : dashboard::EmbeddedFiles())
    if (f.name == name) return f;
  FAIL("no embedded file " << name);
  throw;
}

void CheckSecurityHeaders(const Response& res) {
  CHECK(res["Content-Security-Policy"] ==
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
  CHECK(res["X-Content-Type-Options"] == "nosniff");
  CHECK(res["Referrer-Policy"] == "no-referrer");
}

TEST_CASE("GET /dashboard answers index.html with the security and cache headers", "[dashboard]") {
  DashboardRouter d;
  Response res = d.Get("/dashboard");
  REQUIRE(res.result() == http::status::ok);
  CHECK(res[http::field::content_type] == "text/html; charset=utf-8");
  CheckSecurityHeaders(res);
  CHECK(res[http::field::cache_control] == "no-cache");
  CHECK(res[http::field::etag] == FileNamed("index.html").etag);
  CHECK(res[http::field::vary] == "Accept-Encoding");
  CHECK(res.body() == FileNamed("index.html").body);
  CHECK(res.body().find("<script type=\"module\" src=\"/dashboard/app.js\">") != std::string::npos);
}

TEST_CASE("the admin port's root sends people to the dashboard", "[dashboard]") {
  DashboardRouter d;
  Response res = d.Get("/");
  CHECK(res.result() == http::status::found);
  CHECK(res[http::field::location] == "/dashboard");
  CHECK(d.Get("//").result() == http::status::not_found);  // still no empty segment
}

TEST_CASE("each file is served at /dashboard/name with the Content-Type of its extension",
          "[dashboard]") {
  DashboardRouter d;
  for (const auto& file : dashboard::EmbeddedFiles()) {
    INFO(file.name);
    Response res = d.Get("/dashboard/" + std::string(file.name));
    REQUIRE(res.result() == http::status::ok);
    CHECK(res.body() == file.body);
    CHECK(res[http::field::content_type] == dashboard::ContentTypeOf(file.name));
    CheckSecurityHeaders(res);
  }
  CHECK(d.Get("/dashboard/app.js")[http::field::content_type] == "text/javascript; charset=utf-8");
  CHECK(d.Get("/dashboard/style.css")[http::field::content_type] == "text/css; charset=utf-8");
  CHECK(d.Get("/dashboard/favicon.svg")[http::field::content_type] == "image/svg+xml");
  CHECK(dashboard::ContentTypeOf("data.bin") == "application/octet-stream");
}

TEST_CASE("an unknown file is a 404 in JSON with the security headers", "[dashboard]") {
  DashboardRouter d;
  for (std::string target : {"/dashboard/nope.js", "/dashboard/%2e%2e", "/dashboard/index.html.gz",
                             "/dashboard/app.js/x"}) {
    INFO(target);
    Response res = d.Get(target);
    CHECK(res.result() == http::status::not_found);
    CHECK(res[http::field::content_type].starts_with("application/json"));
    if (target != "/dashboard/app.js/x") CheckSecurityHeaders(res);  // that one no route matches
  }
}

TEST_CASE("the gzip body only for requests that accept gzip", "[dashboard]") {
  DashboardRouter d;
  const auto& file = FileNamed("app.js");
  REQUIRE(file.gzip.size() > 10);
  CHECK(file.gzip.substr(0, 2) == "\x1f\x8b");
  CHECK(file.gzip.size() < file.body.size());

  Response gz = d.Get("/dashboard/app.js", {{http::field::accept_encoding, "gzip, deflate, br"}});
  CHECK(gz[http::field::content_encoding] == "gzip");
  CHECK(gz.body() == file.gzip);
  CHECK(gz[http::field::content_length] == std::to_string(file.gzip.size()));

  for (std::string accept : {"", "br", "gzip;q=0", "gzip; q=0.0, br"}) {
    INFO(accept);
    Response plain = accept.empty()
                         ? d.Get("/dashboard/app.js")
                         : d.Get("/dashboard/app.js", {{http::field::accept_encoding, accept}});
    CHECK(plain.find(http::field::content_encoding) == plain.end());
    CHECK(plain.body() == file.body);
  }
  CHECK(d.Get("/dashboard/app.js", {{http::field::accept_encoding, "*"}}).body() == file.gzip);
}

TEST_CASE("If-None-Match with the file's ETag is a 304 without a body", "[dashboard]") {
  DashboardRouter d;
  const auto& file = FileNamed("style.css");
  Response res =
      d.Get("/dashboard/style.css", {{http::field::if_none_match, std::string(file.etag)}});
  CHECK(res.result() == http::status::not_modified);
  CHECK(res.body().empty());
  CHECK(res[http::field::etag] == file.etag);
  CheckSecurityHeaders(res);
  Response weak = d.Get("/dashboard/style.css",
                        {{http::field::if_none_match, "\"other\", W/" + std::string(file.etag)}});
  CHECK(weak.result() == http::status::not_modified);
  Response other = d.Get("/dashboard/style.css", {{http::field::if_none_match, "\"other\""}});
  CHECK(other.result() == http::status::ok);
  CHECK(other.body() == file.body);
}

TEST_CASE("HEAD is answered like GET", "[dashboard]") {
  DashboardRouter d;
  Response res = d.Get("/dashboard/app.js", {}, http::verb::head);
  CHECK(res.result() == http::status::ok);
  CHECK(res[http::field::content_type] == "text/javascript; charset=utf-8");
}

TEST_CASE("no served file has inline script or style or keeps a credential in storage",
          "[dashboard]") {
  // The CSP refuses inline script and style; a file relying on them would
  // break in the browser, silently. And the credential lives in page memory only.
  const std::regex inline_script(R"(<script(?![^>]*\ssrc=)[^>]*>)", std::regex::icase);
  const std::regex style_attribute(R"(\sstyle\s*=)", std::regex::icase);
  const std::regex inline_handler(R"(<[^>]+\son[a-z]+\s*=)", std::regex::icase);
  size_t scripts = 0;
  for (const auto& file : dashboard::EmbeddedFiles()) {
    INFO(file.name);
    std::string body(file.body);
    if (file.name.ends_with(".html")) {
      CHECK_FALSE(std::regex_search(body, inline_script));
      CHECK_FALSE(std::regex_search(body, style_attribute));
      CHECK_FALSE(std::regex_search(body, inline_handler));
      CHECK(body.find("<style") == std::string::npos);
    }
    if (file.name.ends_with(".js")) {
      ++scripts;
      // Uses, not mentions: comments say why these are not used.
      CHECK(body.find("localStorage.") == std::string::npos);
      CHECK(body.find("sessionStorage.") == std::string::npos);
      CHECK(body.find("document.cookie") == std::string::npos);
      CHECK(body.find(".innerHTML") == std::string::npos);
      CHECK(body.find("'style'") == std::string::npos);
      CHECK(body.find("eval(") == std::string::npos);
    }
  }
  CHECK(scripts >= 5);
}

TEST_CASE("the whole dashboard is under 200 KB compressed", "[dashboard]") {
  size_t compressed = 0;
  for (const auto& file : dashboard::EmbeddedFiles()) compressed += file.gzip.size();
  CHECK(compressed < 200 * 1024);
}

}  // namespace
}  // namespace shortlink::admin
