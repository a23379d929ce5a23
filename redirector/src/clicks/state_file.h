// The click flusher's state file, written so that a crash leaves either the
// old file or the new one whole (clicks/click_flusher.h: a sealed batch
// goes out only once this file holds it).
//
// Thread safety: plain functions; one writer of a path at a time.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace shortlink::redirector {

// Writes `bytes` to `path`: temp file, fsync, rename, fsync of the directory.
Status WriteFileAtomically(const std::string& path, std::string_view bytes);

}  // namespace shortlink::redirector
