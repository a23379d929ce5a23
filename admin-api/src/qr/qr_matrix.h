// A QR code's modules: a text encoded by libqrencode (error correction
// level M, the smallest version that holds it, 8-bit mode where the text
// needs it) into a square of dark and light modules, without the quiet zone
// the writers (qr_svg.h, qr_png.h) draw around it.
//
// Thread safety: plain values; EncodeQr may run on any number of threads at
// once (libqrencode keeps no state between calls but its Reed-Solomon
// tables, which it guards itself).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace shortlink::admin::qr {

// The light margin a reader needs around the symbol, in modules (ISO/IEC
// 18004 asks for 4).
inline constexpr int kQuietZoneModules = 4;

struct QrMatrix {
  int width = 0;              // modules per side, quiet zone excluded (21 for version 1)
  std::vector<uint8_t> dark;  // width * width, row by row; 1: a dark module
  bool Dark(int x, int y) const { return dark[size_t(y) * size_t(width) + size_t(x)] != 0; }
};

// `text` as a QR code; kInvalidArgument for an empty text or one too long
// for the largest symbol (version 40: 2,331 bytes at level M).
Result<QrMatrix> EncodeQr(std::string_view text);

}  // namespace shortlink::admin::qr
