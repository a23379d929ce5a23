// What the router adds to every answer whatever the handler: Allow on a 405
// (RFC 9110 15.5.6), WWW-Authenticate on a 401 (RFC 9110 11.6.1, RFC 6750),
// the principal auth/ resolved handed to the handler, the per-user rate
// limit, and a metric and log line for every request, those the HTTP layer
// refused before routing included.
#include "all_routes.h"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "accounts/account_routes.h"
#include "auth/authenticator.h"
#include "nodes/node_routes.h"
#include "support/temp_dir.h"
#include "teams/team_routes.h"

namespace shortlink::admin {
namespace {

Reply SendTo(Router& router, http::verb method, std::string target,
             std::string authorization = "") {
  Request req{method, target, 11};
  req.set(http::field::host, "x");
  if (!authorization.empty()) req.set(http::field::authorization, authorization);
  boost::asio::io_context ioc;
  std::optional<Reply> out;
  boost::asio::co_spawn(
      ioc, [&]() -> boost::asio::awaitable<void> { out = co_await router.Handle(req, "10.0.0.1"); },
      boost::asio::detached);
  ioc.run();
  REQUIRE(out);
  return std::move(*out);
}

// A router with every route and what routing and refusing need: no stores,
// so no request here may reach a handler or look a key up.
struct RouterFixture : testing::AllRoutes {
  Reply Send(http::verb method, std::string target, std::string authorization = "") {
    return SendTo(router, method, std::move(target), std::move(authorization));
  }
};

// A handler that answers who the router said sent the request.
Awaitable Whoami(RequestContext& rc) {
  std::string body = "none";
  if (rc.principal) {
    body = rc.principal->is_user() ? "user " + std::to_string(rc.principal->user) : "node";
  }
  co_return rc.Json(http::status::ok, body);
}

// A router over real accounts (a temporary RocksDB), the node token and a
// rate limiter of 2 requests per second on a clock that stands still, with
// one Whoami route per credential.
struct PrincipalFixture {
  PrincipalFixture() {
    router.Add({http::verb::get, "/key", Auth::kApiKey, Whoami});
    router.Add({http::verb::get, "/node", Auth::kNodeToken, Whoami});
    router.Add({http::verb::get, "/open", Auth::kNone, Whoami});
  }
  std::string KeyOf(std::string_view email) {
    User made = accounts->CreateUser(email, Role::kMember).value();
    REQUIRE(teams->EnsurePersonal(made).ok());
    return "Bearer " + accounts->CreateKey(made.id, Environment::kProduction).value().secret;
  }

  testing::TempDir dir;
  std::unique_ptr<Database> db = std::move(Database::Open(dir.path())).value();
  std::unique_ptr<Accounts> accounts = std::move(Accounts::Load(db.get())).value();
  std::unique_ptr<Teams> teams = std::move(Teams::Load(db.get(), {})).value();
  AccountApi account_api{accounts.get(), Environment::kProduction,
                         [this](const User& user) { teams->EnsurePersonal(user); }};
  TeamApi team_api{teams.get(), accounts.get(), Environment::kProduction, {}};
  std::string node_token = "node-token-0123456789abcdef";
  auth::Authenticator authenticator{
      [this](std::string_view key, std::string_view account) {
        return PrincipalOfKey(team_api, key, account);
      },
      [this](std::string_view token) { return IsNodeToken(node_token, token); }};
  RateLimiter limiter{2, std::chrono::seconds(10), [] { return int64_t{1'000'000}; }};
  MetricsRegistry metrics;
  Router router{&metrics, &authenticator, &limiter};
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

TEST_CASE("the handler gets the principal its route's credential names", "[router]") {
  PrincipalFixture f;
  std::string alice = f.KeyOf("alice@example.com");
  std::string node = "Bearer " + f.node_token;
  CHECK(SendTo(f.router, http::verb::get, "/key", alice).response.body() == "user 1");
  CHECK(SendTo(f.router, http::verb::get, "/node", node).response.body() == "node");
  // A route that takes no credential resolves none, whatever is sent.
  CHECK(SendTo(f.router, http::verb::get, "/open", alice).response.body() == "none");
  // Each credential on its own routes only.
  CHECK(SendTo(f.router, http::verb::get, "/key", node).response.result() ==
        http::status::unauthorized);
  CHECK(SendTo(f.router, http::verb::get, "/node", alice).response.result() ==
        http::status::unauthorized);
}

TEST_CASE("the rate limit is per user, and not on the node routes", "[router]") {
  PrincipalFixture f;
  std::string alice = f.KeyOf("alice@example.com");
  std::string bob = f.KeyOf("bob@example.com");
  CHECK(SendTo(f.router, http::verb::get, "/key", alice).response.result() == http::status::ok);
  CHECK(SendTo(f.router, http::verb::get, "/key", alice).response.result() == http::status::ok);
  Reply limited = SendTo(f.router, http::verb::get, "/key", alice);
  CHECK(limited.response.result() == http::status::too_many_requests);
  CHECK(Header(limited, http::field::retry_after) == "10");
  CHECK(SendTo(f.router, http::verb::get, "/key", bob).response.result() == http::status::ok);
  // A refused key is answered 401, before the limit: it names no user to count.
  CHECK(SendTo(f.router, http::verb::get, "/key", "Bearer live_v1_wrong").response.result() ==
        http::status::unauthorized);
  for (int i = 0; i < 5; ++i) {
    CHECK(SendTo(f.router, http::verb::get, "/node", "Bearer " + f.node_token).response.result() ==
          http::status::ok);
  }
}

TEST_CASE("the access log names the user of a request", "[router]") {
  PrincipalFixture f;
  std::string alice = f.KeyOf("alice@example.com");
  std::string log = CaptureStderr([&] { SendTo(f.router, http::verb::get, "/key", alice); });
  CHECK(log.find("\"user\":\"1\"") != std::string::npos);
  log =
      CaptureStderr([&] { SendTo(f.router, http::verb::get, "/node", "Bearer " + f.node_token); });
  CHECK(log.find("\"user\":\"\"") != std::string::npos);
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
