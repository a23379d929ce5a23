#include "shortenworld/answers.h"

#include <boost/beast/http/status.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/clock.h"

namespace shortlink::admin::shortenworld {

boost::json::object StatusObject(int code, std::string_view message, int64_t now_ms) {
  return {{"code", code}, {"message", message}, {"timestamp", FormatIso8601Millis(now_ms)}};
}

std::string SuccessBody(const boost::json::object& data, int64_t now_ms) {
  boost::json::object body;
  body["status"] = StatusObject(0, kSuccess, now_ms);
  for (const auto& [key, value] : data)
    if (key != "status") body[key] = value;
  return boost::json::serialize(body);
}

std::string ErrorBody(unsigned http_status, std::string_view inner_body, int64_t now_ms) {
  std::string message(
      boost::beast::http::obsolete_reason(boost::beast::http::int_to_status(http_status)));
  boost::system::error_code ec;
  boost::json::value inner = boost::json::parse(inner_body, ec);
  if (!ec && inner.is_object()) {
    const boost::json::object& obj = inner.as_object();
    if (auto it = obj.find("message"); it != obj.end() && it->value().is_string())
      message = std::string(it->value().as_string());
  }
  boost::json::object body;
  body["status"] = StatusObject(static_cast<int>(http_status), message, now_ms);
  return boost::json::serialize(body);
}

boost::json::object LinkAnswer(const boost::json::object& inner, std::string_view public_url) {
  auto text = [&](std::string_view key) -> std::string {
    auto it = inner.find(key);
    return it != inner.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                        : std::string();
  };
  std::string code = text("shortUrl"), domain = text("domain");
  boost::json::object out;
  out["id"] = domain.empty() ? code : domain + "/" + code;
  out["code"] = code;
  out["shortLink"] = (domain.empty() ? std::string(public_url) : "https://" + domain) + "/" + code;
  out["destination"] = text("longUrl");
  for (const auto& [key, value] : inner)
    if (key != "shortUrl" && key != "longUrl") out[key] = value;
  return out;
}

boost::json::object ListAnswer(const boost::json::object& inner, std::string_view key, size_t page,
                               size_t size) {
  boost::json::object out;
  for (std::string_view items : {"items", "urls"})
    if (auto it = inner.find(items); it != inner.end()) out[key] = it->value();
  for (std::string_view total : {"total", "count"})
    if (auto it = inner.find(total); it != inner.end()) out["total"] = it->value();
  out["page"] = page;
  out["size"] = size;
  return out;
}

}  // namespace shortlink::admin::shortenworld
