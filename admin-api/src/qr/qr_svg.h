// A QR code as SVG, written here: the format is a few lines of text and
// needs no library. One white square and one black path, drawn in module
// units (the viewBox) and scaled by the reader to the requested width, so
// any width renders the modules evenly.
//
// Thread safety: a pure function.
#pragma once

#include <string>

#include "qr/qr_matrix.h"

namespace shortlink::admin::qr {

// `matrix` with its quiet zone (kQuietZoneModules on each side) as a
// standalone SVG document `size_px` pixels wide and high. The path holds
// one "M x y h n v1 h-n z" per horizontal run of dark modules, x and y
// counted in modules from the image's corner.
std::string QrToSvg(const QrMatrix& matrix, int size_px);

}  // namespace shortlink::admin::qr
