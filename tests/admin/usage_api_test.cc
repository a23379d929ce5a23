// The quota through a real Router (usage/usage_routes.h): every admitted
// request of a user counted in its team's month, GET /api/v1/usage and
// PUT /api/v1/usage/policy, 429 with Retry-After for a blocked team over
// its quota, and the RateLimit headers of the per-second limit on answers.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>

#include "auth/authenticator.h"
#include "auth/principal.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "store/database.h"
#include "support/temp_dir.h"
#include "usage/usage_routes.h"

#include "router_client.h"

namespace shortlink::admin {
namespace {

using http::verb;

constexpr int64_t kNow = 1798761590;  // 2026-12-31T23:59:50Z

// Team 1: an admin and a viewer; team 2: an admin.
const testing::KeyTable& Keys() {
  static const testing::KeyTable keys = testing::TwoTeamsKeys();  // carol unused here
  return keys;
}

using Answer = testing::JsonAnswer;

// A stand-in for any area's route: what a request does is not the meter's
// concern.
Awaitable Echo(int& calls, RequestContext& rc) {
  ++calls;
  co_return rc.Json(http::status::ok, "{}");
}

struct Api {
  explicit Api(uint64_t included = 50'000, double rate = 1e9)
      : limiter(rate, std::chrono::seconds(10), [this] { return clock_ms; }) {
    auto opened = Database::Open(dir.path());
    REQUIRE(opened.ok());
    db = std::move(*opened);
    auto started = usage::UsageMeter::Start(db.get(), {included, [] { return kNow; }});
    REQUIRE(started.ok());
    meter = std::move(*started);
    usage_api.meter = meter.get();
    router.Add({verb::get, "/api/v1/urls", Auth::kApiKey, Bind(echo_calls, Echo)});
    router.Add({verb::get, "/healthz", Auth::kNone, Bind(echo_calls, Echo)});
    RegisterUsageRoutes(router, usage_api);
  }

  Answer Send(verb method, std::string target, std::string_view key, std::string body = "") {
    return testing::SendJson(router, method, std::move(target), key, std::move(body));
  }
  Answer Usage(std::string_view key, std::string query = "") {
    return Send(verb::get, "/api/v1/usage" + query, key);
  }

  testing::TempDir dir;
  std::unique_ptr<Database> db;
  std::unique_ptr<usage::UsageMeter> meter;
  UsageApi usage_api;
  int echo_calls = 0;
  int64_t clock_ms = 1'000'000;
  MetricsRegistry metrics;
  auth::Authenticator authenticator{testing::KeyCheckOf(Keys()),
                                    [](std::string_view) { return false; }};
  RateLimiter limiter;
  Router router{&metrics, &authenticator, &limiter};
};

TEST_CASE("usage api: every admitted request of a team counts, the usage call included",
          "[usage]") {
  Api api;
  for (int i = 0; i < 4; ++i) REQUIRE(api.Send(verb::get, "/api/v1/urls", "alice").status == 200);
  REQUIRE(api.Send(verb::get, "/api/v1/urls", "victor").status == 200);  // team 1 too
  REQUIRE(api.Send(verb::get, "/api/v1/urls", "bob").status == 200);
  // Not counted: no principal (unauthenticated routes, unknown keys).
  REQUIRE(api.Send(verb::get, "/healthz", "").status == 200);
  REQUIRE(api.Send(verb::get, "/api/v1/urls", "mallory").status == 401);

  Answer a = api.Usage("alice");
  REQUIRE(a.status == 200);
  // 5 requests of team 1, and this GET itself: counted before it runs.
  CHECK(a.json.at("requests") == 6);
  CHECK(a.json.at("month") == "2026-12");
  CHECK(a.json.at("included") == 50'000);
  CHECK(a.json.at("over") == 0);
  CHECK(a.json.at("charge") == "0.00");
  CHECK(a.json.at("policy") == "meter");
  CHECK(api.Usage("bob").json.at("requests") == 2);
}

TEST_CASE("usage api: a month is asked as YYYY-MM, anything else is 400", "[usage]") {
  Api api;
  REQUIRE(api.Send(verb::get, "/api/v1/urls", "alice").status == 200);
  Answer past = api.Usage("alice", "?month=2026-11");
  REQUIRE(past.status == 200);
  CHECK(past.json.at("month") == "2026-11");
  CHECK(past.json.at("requests") == 0);
  CHECK(api.Usage("alice", "?month=2026-12").json.at("requests") == 3);  // urls, 11, 12
  for (const char* bad : {"2026-13", "2026-1", "december", ""}) {
    Answer a = api.Usage("alice", std::string("?month=") + bad);
    INFO(bad);
    CHECK(a.status == 400);
    CHECK(a.json.at("message").as_string().size() > 0);
  }
}

TEST_CASE("usage api: over the included requests, meter serves and charges", "[usage]") {
  Api api(/*included=*/2);
  for (int i = 0; i < 4; ++i) REQUIRE(api.Send(verb::get, "/api/v1/urls", "alice").status == 200);
  Answer a = api.Usage("alice");
  CHECK(a.json.at("requests") == 5);
  CHECK(a.json.at("included") == 2);
  CHECK(a.json.at("over") == 3);
  CHECK(a.json.at("charge") == "3.50");
}

TEST_CASE("usage api: a blocked team over its quota gets 429 with Retry-After to the month's end",
          "[usage]") {
  Api api(/*included=*/3);
  Answer set = api.Send(verb::put, "/api/v1/usage/policy", "alice", R"({"policy": "block"})");
  REQUIRE(set.status == 200);  // request 1
  CHECK(set.json.at("policy") == "block");
  REQUIRE(api.Send(verb::get, "/api/v1/urls", "alice").status == 200);  // 2
  REQUIRE(api.Send(verb::get, "/api/v1/urls", "alice").status == 200);  // 3
  int calls_before = api.echo_calls;
  Answer refused = api.Send(verb::get, "/api/v1/urls", "alice");
  REQUIRE(refused.status == 429);
  CHECK(refused.response[http::field::retry_after] == "10");
  CHECK(refused.json.at("message").as_string().find("block") != std::string::npos);
  CHECK(api.echo_calls == calls_before);  // the route never ran
  // Another team is not blocked; the usage routes are not either.
  CHECK(api.Send(verb::get, "/api/v1/urls", "bob").status == 200);
  Answer usage = api.Usage("alice");
  REQUIRE(usage.status == 200);
  CHECK(usage.json.at("requests") == 4);  // the 429 uncounted, this GET counted
  CHECK(usage.json.at("policy") == "block");
  REQUIRE(api.Send(verb::put, "/api/v1/usage/policy", "alice", R"({"policy": "meter"})").status ==
          200);
  CHECK(api.Send(verb::get, "/api/v1/urls", "alice").status == 200);
}

TEST_CASE("usage api: only team admins and owners set the policy, to meter or block", "[usage]") {
  Api api;
  Answer viewer = api.Send(verb::put, "/api/v1/usage/policy", "victor", R"({"policy": "block"})");
  CHECK(viewer.status == 403);
  CHECK(api.meter->PolicyOf(1) == usage::Policy::kMeter);
  for (const char* bad : {R"({"policy": "stop"})", R"({"policy": 1})", R"({})",
                          R"({"policy": "block", "x": 1})", "[]"}) {
    INFO(bad);
    CHECK(api.Send(verb::put, "/api/v1/usage/policy", "alice", bad).status == 400);
  }
  CHECK(api.meter->PolicyOf(1) == usage::Policy::kMeter);  // bad input changed nothing
  CHECK(api.Usage("victor").status == 200);                // a viewer reads
}

TEST_CASE("usage api: answers carry the per-second RateLimit headers", "[usage]") {
  Api api(50'000, /*rate=*/5);
  Answer first = api.Send(verb::get, "/api/v1/urls", "alice");
  REQUIRE(first.status == 200);
  CHECK(first.response["RateLimit-Limit"] == "5");
  CHECK(first.response["RateLimit-Remaining"] == "4");
  CHECK(first.response["RateLimit-Reset"] == "1");  // one token back in 0.2 s, full in 1 s
  for (int i = 0; i < 4; ++i) REQUIRE(api.Send(verb::get, "/api/v1/urls", "alice").status == 200);
  Answer last = api.Send(verb::get, "/api/v1/usage", "alice");
  REQUIRE(last.status == 429);  // the sixth in the same millisecond
  CHECK(last.response["RateLimit-Remaining"] == "0");
  CHECK(last.response["RateLimit-Reset"] == "10");  // the cool-off
  CHECK(last.response[http::field::retry_after] == "10");
  api.clock_ms += 10'000;
  Answer after = api.Send(verb::get, "/api/v1/urls", "alice");
  CHECK(after.response["RateLimit-Remaining"] == "4");
  // No user, no budget: none on unauthenticated answers.
  CHECK(api.Send(verb::get, "/healthz", "").response.count("RateLimit-Limit") == 0);
}

}  // namespace
}  // namespace shortlink::admin
