#include "qr/qr_png.h"

#include <png.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace shortlink::admin::qr {
namespace {

// Palette indexes: a two-entry palette is what makes libpng's simplified
// API write 1 bit per pixel (it writes no 1-bit greyscale), an eighth of
// the bytes to deflate of 8-bit grey: 2048 pixels wide, 6 ms instead of 34.
constexpr uint8_t kDark = 0, kLight = 1;
constexpr uint8_t kColours[] = {0, 0, 0, 255, 255, 255};  // RGB: black, white

// The image as rows of palette indexes, a byte per pixel, top to bottom.
std::vector<uint8_t> Pixels(const QrMatrix& matrix, int size_px, int scale) {
  const size_t size = size_t(size_px);
  std::vector<uint8_t> pixels(size * size, kLight);
  const int margin = (size_px - matrix.width * scale) / 2;  // the odd pixel goes right and below
  std::vector<uint8_t> row(size, kLight);
  for (int y = 0; y < matrix.width; ++y) {
    std::fill(row.begin(), row.end(), kLight);
    for (int x = 0; x < matrix.width; ++x)
      if (matrix.Dark(x, y)) std::fill_n(row.begin() + margin + x * scale, scale, kDark);
    // A module row is `scale` equal pixel rows.
    for (int i = 0; i < scale; ++i)
      std::memcpy(pixels.data() + size_t(margin + y * scale + i) * size, row.data(), size);
  }
  return pixels;
}

}  // namespace

Result<std::string> QrToPng(const QrMatrix& matrix, int size_px) {
  const int modules = matrix.width + 2 * kQuietZoneModules;
  const int scale = size_px / modules;
  if (scale < 1)
    return MakeError(ErrorCode::kInvalidArgument,
                     "size must be at least " + std::to_string(modules) +
                         " for this link's QR code (one pixel per module).");
  const std::vector<uint8_t> pixels = Pixels(matrix, size_px, scale);

  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = png_uint_32(size_px);
  image.height = png_uint_32(size_px);
  image.format = PNG_FORMAT_RGB_COLORMAP;
  image.colormap_entries = 2;
  image.flags = PNG_IMAGE_FLAG_FAST;
  // FAST: no filters and a low deflate level; at 2048 pixels 3.9 ms and
  // 6.5 KB instead of 6.2 ms and 3.7 KB (one core here), on an I/O thread.
  // Long runs of two values: the image is far smaller than a byte per 64
  // pixels. Start there and write again only if it was not enough (libpng
  // then tells the size it needs).
  std::string png(std::max<size_t>(4096, pixels.size() / 64), '\0');
  png_alloc_size_t bytes = png.size();
  int ok = png_image_write_to_memory(&image, png.data(), &bytes, 0, pixels.data(), 0, kColours);
  if (!ok && bytes > png.size()) {
    png.resize(bytes);
    png_image_free(&image);
    ok = png_image_write_to_memory(&image, png.data(), &bytes, 0, pixels.data(), 0, kColours);
  }
  if (!ok) {
    std::string message = image.message;
    png_image_free(&image);
    return MakeError(ErrorCode::kInternal, "libpng could not write the QR code: " + message);
  }
  png.resize(bytes);
  return png;
}

}  // namespace shortlink::admin::qr
