#include "qr/qr_svg.h"

namespace shortlink::admin::qr {

std::string QrToSvg(const QrMatrix& matrix, int size_px) {
  const std::string side = std::to_string(matrix.width + 2 * kQuietZoneModules);
  const std::string px = std::to_string(size_px);
  std::string svg;
  svg.reserve(256 + size_t(matrix.width) * size_t(matrix.width) * 4);
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // crispEdges: without it, renderers anti-alias the seams between runs
  // into faint grey lines when the scale is not a whole number.
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px + "\" height=\"" + px +
         "\" viewBox=\"0 0 " + side + " " + side + "\" shape-rendering=\"crispEdges\">";
  svg += "<rect width=\"" + side + "\" height=\"" + side + "\" fill=\"#fff\"/>";
  svg += "<path fill=\"#000\" d=\"";
  // Runs rather than single modules: about a third of the text.
  for (int y = 0; y < matrix.width; ++y) {
    for (int x = 0; x < matrix.width;) {
      if (!matrix.Dark(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < matrix.width && matrix.Dark(x + run, y)) ++run;
      const std::string n = std::to_string(run);
      svg += "M" + std::to_string(x + kQuietZoneModules) + " " +
             std::to_string(y + kQuietZoneModules) + "h" + n + "v1h-" + n + "z";
      x += run;
    }
  }
  svg += "\"/></svg>\n";
  return svg;
}

}  // namespace shortlink::admin::qr
