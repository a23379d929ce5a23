// The router's own refusals of /v1 paths in Shorten World's envelope
// (admin-api/src/shortenworld/shortenworld_routes.h,
// HandleWithShortenWorldRefusals), through a real Router with the /v1
// routes; /api/v1 and the other paths answered exactly as before.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "auth/authenticator.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "shortenworld/shortenworld_routes.h"

namespace shortlink::admin {
namespace {

using http::verb;

struct V1Server {
  V1Server() { REQUIRE(RegisterShortenWorldRoutes(router, {"https://sho.rt"}).ok()); }

  Reply Send(verb method, std::string target) {
    Request req{method, target, 11};
    req.set(http::field::host, "x");
    boost::asio::io_context ioc;
    std::optional<Reply> out;
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> {
          out = co_await HandleWithShortenWorldRefusals(router, req, "10.0.0.1");
        },
        boost::asio::detached);
    ioc.run();
    REQUIRE(out);
    return std::move(*out);
  }

  MetricsRegistry metrics;
  // No key is known: every /api/v1 request the /v1 calls make is refused or unrouted.
  auth::Authenticator authenticator{
      [](std::string_view, std::string_view) { return std::optional<auth::Principal>(); },
      [](std::string_view) { return false; }};
  RateLimiter limiter{1e9, std::chrono::seconds(10), [] { return int64_t{1'000'000}; }};
  Router router{&metrics, &authenticator, &limiter};
};

boost::json::object Body(const Reply& reply) {
  return boost::json::parse(reply.response.body()).as_object();
}

TEST_CASE("an unknown v1 path answers 404 in the v1 envelope", "[shortenworld]") {
  V1Server server;
  for (std::string target : {"/v1/link/nope", "/v1/nope?x=1", "/v1", "/v1/a/b/c/d"}) {
    INFO(target);
    Reply reply = server.Send(verb::get, target);
    CHECK(reply.response.result_int() == 404);
    boost::json::object status = Body(reply).at("status").as_object();
    CHECK(status.at("code") == 404);
    CHECK(status.at("message") == "Not found.");
    CHECK(status.at("timestamp").is_string());
    CHECK(reply.response[http::field::content_type] == "application/json");
  }
}

TEST_CASE("a wrong method on a v1 path answers 405 in the envelope with Allow", "[shortenworld]") {
  V1Server server;
  Reply reply = server.Send(verb::post, "/v1/link/list");
  CHECK(reply.response.result_int() == 405);
  CHECK(reply.response[http::field::allow] == "GET, HEAD");
  boost::json::object status = Body(reply).at("status").as_object();
  CHECK(status.at("code") == 405);
  CHECK(status.at("message") == "Method not allowed on this path.");
  CHECK(server.Send(verb::get, "/v1/link/create").response[http::field::allow] == "POST");
}

TEST_CASE("other paths and the v1 calls' own answers are left as they are", "[shortenworld]") {
  V1Server server;
  // The router's plain {"message"} everywhere else.
  for (std::string target : {"/api/v1/nope", "/v10/link/list", "/v1x"}) {
    INFO(target);
    Reply reply = server.Send(verb::get, target);
    CHECK(reply.response.result_int() == 404);
    CHECK(reply.response.body() == R"({"message":"Not found."})");
  }
  // A /v1 call whose /api/v1 route is not there (none is registered here)
  // answers 404 in the envelope itself, wrapped once.
  Reply call = server.Send(verb::get, "/v1/link/list");
  CHECK(call.response.result_int() == 404);
  boost::json::object body = Body(call);
  CHECK(body.size() == 1);
  CHECK(body.at("status").at("message") == "Not found.");
  // The reshaping alone: a 400 or a 200 of a /v1 path is not touched.
  Reply plain;
  plain.response.result(http::status::bad_request);
  plain.response.body() = R"({"message":"x"})";
  CHECK(WithShortenWorldRefusal("/v1/link/list", std::move(plain)).response.body() ==
        R"({"message":"x"})");
}

}  // namespace
}  // namespace shortlink::admin
