// One request as the handlers see it: the parsed target, path parameters,
// and the caller once the router has checked the key.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/http_types.h"

namespace shortlink::admin {

// Who sent a request, as the router's API key check found it (the key's
// user; accounts/account_routes.h makes one from a key).
struct Caller {
  uint64_t id = 0;     // the user
  bool admin = false;  // the user's role is admin
};

struct RequestContext {
  Request& req;
  std::string path;                          // decoded path, no query
  std::map<std::string, std::string> query;  // decoded; a repeated key keeps its last value
  std::vector<std::string> query_keys;       // every key, in order, repeats included
  std::string param;                         // the {shortUrl} or {id} segment, if the route has one
  std::optional<Caller> user;                // set for routes that take an API key

  unsigned version() const { return req.version(); }
  bool keep_alive() const { return req.keep_alive(); }
  Reply Error(ErrorCode code, std::string_view message) const {
    return Reply{JsonError(code, message, version(), keep_alive()), {}};
  }
  Reply Error(const shortlink::Error& e) const { return Error(e.code, e.message); }
  Reply Json(http::status status, std::string body) const {
    return Reply{JsonResponse(status, std::move(body), version(), keep_alive()), {}};
  }
};

using Awaitable = boost::asio::awaitable<Reply>;

}  // namespace shortlink::admin
