// One request as the handlers see it: the parsed target, path parameters,
// and the principal auth/ resolved for it (handlers ask auth/access.h what
// it may do).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "http/http_types.h"

namespace shortlink::admin {

struct RequestContext {
  Request& req;
  std::string path;                          // decoded path, no query
  std::map<std::string, std::string> query;  // decoded; a repeated key keeps its last value
  std::vector<std::string> query_keys;       // every key, in order, repeats included
  std::string param;                         // the route's first {name} segment, if it has one
  std::vector<std::string> params;           // every {name} segment, in order
  std::optional<auth::Principal> principal;  // set on routes that take a credential
  std::string remote;                        // the client's address, as the access log has it

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
