#include "http/paging.h"
#include "links/link_queries.h"
#include "qr/qr_matrix.h"
#include "qr/qr_png.h"
#include "qr/qr_routes.h"
#include "qr/qr_svg.h"
#include "qr/short_url.h"

namespace shortlink::admin {
namespace {

constexpr size_t kMinSize = 64, kMaxSize = 2048, kDefaultSize = 256;  // pixels

Reply Image(const RequestContext& rc, const char* content_type, std::string filename,
            std::string body) {
  Response res{http::status::ok, rc.version()};
  res.set(http::field::content_type, content_type);
  // The image changes only with the link's domain or the flags: a client
  // may keep it a while, a shared cache never (it answers to a key).
  res.set(http::field::cache_control, "private, max-age=300");
  res.set(http::field::content_disposition, "inline; filename=\"" + filename + "\"");
  res.keep_alive(rc.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return Reply{std::move(res), {}};
}

// Rendering stays on the I/O thread: the largest PNG (2048 pixels) takes
// about 4 ms (qr_png.h), the default one 0.1 ms, an SVG 20 us, and the
// per-user rate limit bounds how many one user asks.
Awaitable GetQr(QrApi& api, RequestContext& rc) {
  auto domain = DomainFromQuery(rc.query);
  if (!domain.ok()) co_return rc.Error(domain.error());
  auto link = GetLinkAs(*api.links->index, *rc.principal, rc.param, *domain);
  if (!link.ok()) co_return rc.Error(link.error());
  const std::string format = rc.query.count("format") ? rc.query.at("format") : "svg";
  if (format != "svg" && format != "png")
    co_return rc.Error(ErrorCode::kInvalidArgument, "format must be svg or png.");
  size_t size = kDefaultSize;
  if (auto it = rc.query.find("size"); it != rc.query.end()) {
    auto n = ParseCount("size", it->second, kMinSize, kMaxSize);
    if (!n.ok()) co_return rc.Error(n.error());
    size = *n;
  }
  const std::string url = qr::ShortUrlOf(api.public_url, *link);
  if (url.empty())
    co_return rc.Error(ErrorCode::kNotFound,
                       "This server has no short domain (serve --public-url): its links have no "
                       "QR code.");
  auto matrix = qr::EncodeQr(url);
  if (!matrix.ok()) co_return rc.Error(matrix.error());
  if (format == "svg")
    co_return Image(rc, "image/svg+xml", link->code + ".svg",
                    qr::QrToSvg(*matrix, static_cast<int>(size)));
  auto png = qr::QrToPng(*matrix, static_cast<int>(size));
  if (!png.ok()) co_return rc.Error(png.error());
  co_return Image(rc, "image/png", link->code + ".png", std::move(png).value());
}

}  // namespace

void RegisterQrRoutes(Router& router, QrApi& api) {
  router.Add({http::verb::get, "/api/v1/urls/{shortUrl}/qr", Auth::kApiKey, Bind(api, GetQr)});
}

}  // namespace shortlink::admin
