#include "http/http_types.h"

#include <boost/json.hpp>

namespace shortlink::admin {

http::status StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return http::status::bad_request;
    case ErrorCode::kUnauthorized:
      return http::status::unauthorized;
    case ErrorCode::kNotFound:
      return http::status::not_found;
    case ErrorCode::kConflict:
      return http::status::bad_request;  // as the Go API answers
    case ErrorCode::kTooLarge:
      return http::status::payload_too_large;
    case ErrorCode::kRateLimited:
      return http::status::too_many_requests;
    case ErrorCode::kUnavailable:
      return http::status::service_unavailable;
    case ErrorCode::kGone:
      return http::status::gone;
    case ErrorCode::kInternal:
      return http::status::internal_server_error;
    case ErrorCode::kForbidden:
      return http::status::forbidden;
    case ErrorCode::kStateConflict:
      return http::status::conflict;
  }
  return http::status::internal_server_error;
}

Response JsonResponse(http::status status, std::string body, unsigned version, bool keep_alive) {
  Response res{status, version};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response JsonError(http::status status, std::string_view message, unsigned version,
                   bool keep_alive) {
  boost::json::object body;
  body["message"] = message;
  return JsonResponse(status, boost::json::serialize(body), version, keep_alive);
}

Response JsonError(ErrorCode code, std::string_view message, unsigned version, bool keep_alive) {
  boost::json::object body;
  body["message"] = message;
  // The Go API tags a taken shortUrl with an error type clients test for.
  if (code == ErrorCode::kConflict) body["type"] = "ShortUrlError";
  return JsonResponse(StatusFor(code), boost::json::serialize(body), version, keep_alive);
}

}  // namespace shortlink::admin
