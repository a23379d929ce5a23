// A QR code as PNG, written by libpng's simplified API (png_image: no
// setjmp/longjmp in our frames; its errors come back as a return value and
// a message). One bit per pixel, black and white in a two-colour palette:
// 0.1 ms and about 0.5 KB at 256 pixels, 4 ms and 6.5 KB at 2048.
//
// Thread safety: a pure function.
#pragma once

#include <string>

#include "common/result.h"
#include "qr/qr_matrix.h"

namespace shortlink::admin::qr {

// `matrix` as a PNG image `size_px` pixels square. Every module is the same
// whole number of pixels, the largest that fits with the quiet zone, so a
// reader sees sharp, even modules at any size; the pixels left over widen
// the quiet zone (it is kQuietZoneModules or more). kInvalidArgument when
// `size_px` is too small for one pixel per module (the message names the
// least size).
Result<std::string> QrToPng(const QrMatrix& matrix, int size_px);

}  // namespace shortlink::admin::qr
