#include "qr/qr_matrix.h"

#include <qrencode.h>

#include <cerrno>
#include <memory>
#include <string>

namespace shortlink::admin::qr {

Result<QrMatrix> EncodeQr(std::string_view text) {
  if (text.empty()) return MakeError(ErrorCode::kInvalidArgument, "nothing to encode in a QR code");
  // QRcode_encodeString reads a NUL-terminated string; it picks numeric,
  // alphanumeric or 8-bit mode per stretch, so a URL takes the smallest
  // symbol. Case-sensitive: a code's path must read back as it was.
  const std::string copy(text);
  errno = 0;
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(copy.c_str(), /*version=*/0, QR_ECLEVEL_M, QR_MODE_8,
                          /*casesensitive=*/1),
      &QRcode_free);
  if (!code) {
    if (errno == ERANGE)
      return MakeError(ErrorCode::kInvalidArgument, "the text is too long for a QR code");
    return MakeError(ErrorCode::kInternal, "libqrencode could not encode the text");
  }
  QrMatrix matrix;
  matrix.width = code->width;
  const size_t n = size_t(code->width) * size_t(code->width);
  matrix.dark.resize(n);
  // Each byte of libqrencode's data describes one module; bit 0 is its colour.
  for (size_t i = 0; i < n; ++i) matrix.dark[i] = code->data[i] & 1;
  return matrix;
}

}  // namespace shortlink::admin::qr
