// One request through an admin-api Router in-process, as the HTTP layer
// hands it over (no socket): for the API tests of an area (domains,
// campaigns, usage) that assert on statuses and JSON bodies.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "auth/principal.h"
#include "http/router.h"

namespace shortlink::testing {

struct JsonAnswer {
  int status = 0;
  boost::json::value json;
  std::string body;
  admin::Response response;

  std::string message() const {
    const auto* o = json.if_object();
    if (!o || !o->contains("message")) return "";
    return std::string(o->at("message").as_string());
  }
};

// `key` (empty: none) goes as a bearer token, `body` (empty: none) as JSON.
// The answer's body must be JSON.
inline JsonAnswer SendJson(admin::Router& router, admin::http::verb method, std::string target,
                           std::string_view key, std::string body = "") {
  namespace http = admin::http;
  admin::Request req{method, target, 11};
  req.set(http::field::host, "x");
  if (!key.empty()) req.set(http::field::authorization, "Bearer " + std::string(key));
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
  }
  // One io_context per thread for every request, never destroyed before
  // exit: a handler's completion is posted from the link writer's thread,
  // which may still be signalling the context when run() has returned here
  // (ThreadSanitizer saw a per-request context destroyed under that signal).
  thread_local boost::asio::io_context ioc;
  ioc.restart();
  std::optional<admin::Reply> out;
  boost::asio::co_spawn(
      ioc, [&]() -> boost::asio::awaitable<void> { out = co_await router.Handle(req, "10.0.0.1"); },
      boost::asio::detached);
  ioc.run();
  REQUIRE(out);
  JsonAnswer a;
  a.status = static_cast<int>(out->response.result_int());
  a.body = out->response.body();
  INFO(a.body);
  boost::system::error_code ec;
  a.json = boost::json::parse(a.body, ec);
  REQUIRE_FALSE(ec);
  a.response = out->response;
  return a;
}

using KeyTable = std::map<std::string, admin::auth::Principal, std::less<>>;

// The keys the area tests share, and whom they name: teams 1 and 2, and
// three roles in team 1 (an admin, a member, a viewer).
inline KeyTable TwoTeamsKeys() {
  using admin::auth::Role;
  auto in = [](uint64_t user, uint64_t team, Role role) {
    return admin::auth::UserPrincipal(user, team, role, admin::auth::Scopes::All(), false);
  };
  return {{"alice", in(1, 1, Role::kAdmin)},
          {"carol", in(3, 1, Role::kMember)},
          {"victor", in(4, 1, Role::kViewer)},
          {"bob", in(2, 2, Role::kAdmin)}};
}

// An auth::ApiKeyCheck over `keys` (which must outlive it).
inline auto KeyCheckOf(const KeyTable& keys) {
  return [&keys](std::string_view key, std::string_view) -> std::optional<admin::auth::Principal> {
    auto it = keys.find(key);
    if (it == keys.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace shortlink::testing
