// What the router adds to every answer whatever the handler: Allow on a 405
// (RFC 9110 15.5.6), WWW-Authenticate on a 401 (RFC 9110 11.6.1, RFC 6750),
// and a metric and log line for every request, those the HTTP layer refused
// before routing included.
#include "all_routes.h"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <optional>
#include <string>

namespace shortlink::admin {
namespace {

// A router with every route and what routing and refusing need: no stores,
// so no request here may reach a handler or look a key up.
struct RouterFixture : testing::AllRoutes {
  Reply Send(http::verb method, std::string target, std::string authorization = "") {
    Request req{method, target, 11};
    req.set(http::field::host, "x");
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    boost::asio::io_context ioc;
    std::optional<Reply> out;
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> { out = co_await router.Handle(req, "10.0.0.1"); },
        boost::asio::detached);
    ioc.run();
    REQUIRE(out);
    return std::move(*out);
  }
};

std::string Header(const Reply& reply, http::field field) {
  auto it = reply.response.find(field);
  return it == reply.response.end() ? "" : std::string(it->value());
}

// Runs `f` with stderr (the log) going to a temporary file; returns what was written.
template <class F>
std::string CaptureStderr(F f) {
  std::fflush(stderr);
  FILE* tmp = std::tmpfile();
  REQUIRE(tmp);
  int saved = dup(2);
  dup2(fileno(tmp), 2);
  f();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string out;
  std::rewind(tmp);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, tmp)) > 0;) out.append(buf, n);
  std::fclose(tmp);
  return out;
}

}  // namespace

TEST_CASE("a 405 lists the methods of its path in Allow", "[router]") {
  RouterFixture f;
  const std::pair<std::string, std::string> cases[] = {
      {"/api/v1/urls", "GET, HEAD, POST"},
      {"/api/v1/urls/report", "GET, HEAD, PATCH, DELETE"},
      // Also /api/v1/urls/{shortUrl}: GET of "bulk" is a (reserved) link's GET.
      {"/api/v1/urls/bulk", "GET, HEAD, POST, PATCH, DELETE"},
      {"/api/v1/keys", "GET, HEAD, POST"},
      {"/api/v1/keys/2", "DELETE"},
      {"/api/v1/users", "POST"},
      {"/api/v1/openapi.yaml", "GET, HEAD"},
      {"/internal/v1/changes?after=1", "GET, HEAD"},
      {"/healthz", "GET, HEAD"},
  };
  for (const auto& [target, allow] : cases) {
    INFO(target);
    Reply reply = f.Send(http::verb::put, target);
    CHECK(reply.response.result() == http::status::method_not_allowed);
    CHECK(Header(reply, http::field::allow) == allow);
    CHECK(reply.response.body().find("\"message\"") != std::string::npos);
  }
  // Not a 405: unknown paths are 404, without Allow.
  Reply missing = f.Send(http::verb::put, "/api/v2/urls");
  CHECK(missing.response.result() == http::status::not_found);
  CHECK(Header(missing, http::field::allow).empty());
}

TEST_CASE("a 401 carries a Bearer challenge", "[router]") {
  RouterFixture f;
  // No credentials: the scheme and realm only (RFC 6750 3.1).
  Reply none = f.Send(http::verb::get, "/api/v1/urls");
  CHECK(none.response.result() == http::status::unauthorized);
  CHECK(Header(none, http::field::www_authenticate) == "Bearer realm=\"shortlink\"");
  CHECK(none.response.body() == R"({"message":"Unauthorized"})");
  // A credential refused (another scheme, a key of the other environment).
  for (const char* given : {"Basic YTpi", "Bearer test_v1_abcdefabcdefabcdef"}) {
    INFO(given);
    Reply wrong = f.Send(http::verb::post, "/api/v1/urls", given);
    CHECK(wrong.response.result() == http::status::unauthorized);
    CHECK(Header(wrong, http::field::www_authenticate) ==
          "Bearer realm=\"shortlink\", error=\"invalid_token\"");
  }
  // The node endpoints: a realm of their own, another credential.
  Reply node = f.Send(http::verb::get, "/internal/v1/snapshot", "Bearer wrong-token");
  CHECK(node.response.result() == http::status::unauthorized);
  CHECK(Header(node, http::field::www_authenticate) ==
        "Bearer realm=\"shortlink-nodes\", error=\"invalid_token\"");
  // Others are not challenged.
  CHECK(Header(f.Send(http::verb::get, "/healthz"), http::field::www_authenticate).empty());
}

TEST_CASE("a request the HTTP layer refused is counted and logged under its route", "[router]") {
  RouterFixture f;
  http::request_header<> head;
  head.method(http::verb::patch);
  head.target("/api/v1/urls/report");
  std::string log = CaptureStderr(
      [&] { f.router.RecordRefused(head, http::status::payload_too_large, "10.0.0.2"); });
  CHECK(log.find("\"msg\":\"request\"") != std::string::npos);
  CHECK(log.find("\"method\":\"PATCH\"") != std::string::npos);
  CHECK(log.find("\"route\":\"/api/v1/urls/{shortUrl}\"") != std::string::npos);
  CHECK(log.find("\"status\":\"413\"") != std::string::npos);
  CHECK(log.find("\"remote\":\"10.0.0.2\"") != std::string::npos);
  std::string text = f.metrics.Render();
  CHECK(
      text.find(
          R"(admin_http_requests_total{route="/api/v1/urls/{shortUrl}",method="PATCH",status="413"} 1)") !=
      std::string::npos);

  // A head cut short (a 414 has no complete request line): "unmatched".
  http::request_header<> partial;
  CaptureStderr([&] { f.router.RecordRefused(partial, http::status::uri_too_long, ""); });
  CHECK(f.metrics.Render().find(R"(route="unmatched",method="<unknown>",status="414"} 1)") !=
        std::string::npos);
}

}  // namespace shortlink::admin
