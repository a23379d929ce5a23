// A link's QR code (admin-api/src/qr/): libqrencode's matrix drawn as SVG and
// as PNG, each read back into modules and compared with the matrix module by
// module; the PNG decoded by libpng itself; the short URL the code holds.
#include <png.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <catch2/catch.hpp>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "qr/qr_matrix.h"
#include "qr/qr_png.h"
#include "qr/qr_svg.h"
#include "qr/short_url.h"

namespace shortlink::admin::qr {
namespace {

size_t DarkCount(const QrMatrix& m) {
  size_t n = 0;
  for (uint8_t d : m.dark) n += d;
  return n;
}

// The modules an SVG of QrToSvg paints, read from its path's runs
// ("M x y h n v1 h-n z", in image modules: the quiet zone included).
std::vector<uint8_t> ModulesOfPath(const std::string& d, int side) {
  std::vector<uint8_t> painted(size_t(side) * size_t(side), 0);
  std::istringstream in(d);
  char m, h, v, h2, z;
  int x, y, n, one, back;
  while (in >> m >> x >> y >> h >> n >> v >> one >> h2 >> back >> z) {
    REQUIRE(m == 'M');
    REQUIRE(h == 'h');
    REQUIRE(v == 'v');
    REQUIRE(one == 1);
    REQUIRE(h2 == 'h');
    REQUIRE(back == -n);
    REQUIRE(z == 'z');
    for (int i = 0; i < n; ++i) ++painted[size_t(y) * size_t(side) + size_t(x + i)];
  }
  REQUIRE(in.eof());
  return painted;
}

struct Decoded {
  int width = 0, height = 0;
  std::vector<uint8_t> grey;  // row by row
};

Decoded DecodePng(const std::string& png) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_memory(&image, png.data(), png.size()) != 0);
  image.format = PNG_FORMAT_GRAY;
  Decoded out;
  out.width = int(image.width);
  out.height = int(image.height);
  out.grey.resize(PNG_IMAGE_SIZE(image));
  REQUIRE(png_image_finish_read(&image, nullptr, out.grey.data(), 0, nullptr) != 0);
  return out;
}

}  // namespace

TEST_CASE("EncodeQr gives libqrencode's square matrix of a short URL", "[qr]") {
  auto m = EncodeQr("https://sho.rt/report");
  REQUIRE(m.ok());
  CHECK(m->width == 25);  // version 2: 21 bytes are past version 1's 14 at level M
  CHECK(m->dark.size() == size_t(m->width) * size_t(m->width));
  // The three finder patterns' corners are dark, the module beside each light.
  CHECK(m->Dark(0, 0));
  CHECK(m->Dark(m->width - 1, 0));
  CHECK(m->Dark(0, m->width - 1));
  CHECK_FALSE(m->Dark(7, 0));
  CHECK(DarkCount(*m) > 0);
  CHECK(DarkCount(*m) < m->dark.size());
}

TEST_CASE("EncodeQr refuses an empty text and one past the largest symbol", "[qr]") {
  CHECK(EncodeQr("").error().code == ErrorCode::kInvalidArgument);
  auto too_long = EncodeQr(std::string(3000, '\xff'));
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("the SVG is well-formed XML painting exactly the matrix's dark modules", "[qr]") {
  auto m = EncodeQr("https://sho.rt/spring-2027");
  REQUIRE(m.ok());
  const std::string svg = QrToSvg(*m, 300);
  boost::property_tree::ptree doc;
  std::istringstream in(svg);
  REQUIRE_NOTHROW(boost::property_tree::read_xml(in, doc));  // throws on malformed XML
  const auto& attrs = doc.get_child("svg.<xmlattr>");
  const int side = m->width + 2 * kQuietZoneModules;
  CHECK(attrs.get<std::string>("xmlns") == "http://www.w3.org/2000/svg");
  CHECK(attrs.get<int>("width") == 300);
  CHECK(attrs.get<int>("height") == 300);
  CHECK(attrs.get<std::string>("viewBox") ==
        "0 0 " + std::to_string(side) + " " + std::to_string(side));
  CHECK(doc.get<std::string>("svg.rect.<xmlattr>.fill") == "#fff");
  CHECK(doc.get<std::string>("svg.path.<xmlattr>.fill") == "#000");

  std::vector<uint8_t> painted = ModulesOfPath(doc.get<std::string>("svg.path.<xmlattr>.d"), side);
  size_t dark = 0;
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      const int mx = x - kQuietZoneModules, my = y - kQuietZoneModules;
      const bool in_symbol = mx >= 0 && my >= 0 && mx < m->width && my < m->width;
      const uint8_t want = in_symbol && m->Dark(mx, my) ? 1 : 0;  // the quiet zone stays light
      INFO("module " << x << "," << y);
      REQUIRE(painted[size_t(y) * size_t(side) + size_t(x)] == want);  // once, never twice
      dark += want;
    }
  }
  CHECK(dark == DarkCount(*m));
}

TEST_CASE("the PNG decodes with libpng to the size asked and the matrix's modules", "[qr]") {
  auto m = EncodeQr("https://sho.rt/report");
  REQUIRE(m.ok());
  for (int size : {64, 256, 301, 2048}) {
    INFO("size " << size);
    auto png = QrToPng(*m, size);
    REQUIRE(png.ok());
    REQUIRE(png->size() > 8);
    CHECK(png->compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    Decoded image = DecodePng(*png);
    REQUIRE(image.width == size);
    REQUIRE(image.height == size);
    const int scale = size / (m->width + 2 * kQuietZoneModules);
    const int margin = (size - m->width * scale) / 2;
    CHECK(margin >= kQuietZoneModules * scale);
    // Every pixel is pure black or white: a module's pixels all of its colour,
    // the quiet zone's all white.
    size_t wrong = 0;
    for (int y = 0; y < size; ++y) {
      for (int x = 0; x < size; ++x) {
        const int mx = x - margin, my = y - margin;
        const bool in_symbol = mx >= 0 && my >= 0 && mx < m->width * scale && my < m->width * scale;
        const bool dark = in_symbol && m->Dark(mx / scale, my / scale);
        wrong += image.grey[size_t(y) * size_t(size) + size_t(x)] != (dark ? 0 : 255);
      }
    }
    CHECK(wrong == 0);
  }
}

TEST_CASE("a PNG too small for one pixel per module is refused naming the least size", "[qr]") {
  auto m = EncodeQr(std::string(300, 'a'));  // version 10 at level M: 57 modules
  REQUIRE(m.ok());
  const int least = m->width + 2 * kQuietZoneModules;
  auto png = QrToPng(*m, least - 1);
  REQUIRE_FALSE(png.ok());
  CHECK(png.error().code == ErrorCode::kInvalidArgument);
  CHECK(png.error().message.find(std::to_string(least)) != std::string::npos);
  CHECK(QrToPng(*m, least).ok());
}

TEST_CASE("ShortUrlOf joins the public URL or a custom domain with the code", "[qr]") {
  Link link;
  link.code = "report";
  CHECK(ShortUrlOf("https://go.example", link) == "https://go.example/report");
  CHECK(ShortUrlOf("http://127.0.0.1:8080/", link) == "http://127.0.0.1:8080/report");
  CHECK(ShortUrlOf("", link).empty());  // the server does not know its short domain
  link.domain = "go.example.org";
  CHECK(ShortUrlOf("http://127.0.0.1:8080", link) == "http://go.example.org/report");
  CHECK(ShortUrlOf("", link) == "https://go.example.org/report");
}

}  // namespace shortlink::admin::qr
