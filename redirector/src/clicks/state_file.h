// The click flusher's files (its state file, sealed batches' files),
// written so that a crash leaves either the old file or the new one whole (clicks/click_flusher.h:
// a sealed batch goes out only once this file holds it).
//
// Thread safety: plain functions; one writer of a path at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace shortlink::redirector {

// Writes `bytes` to `path`: temp file, fsync, rename, fsync of the directory.
Status WriteFileAtomically(const std::string& path, std::string_view bytes);
// The whole of `path`, or nothing when it cannot be read (absent, say).
std::optional<std::string> ReadWholeFile(const std::string& path);

}  // namespace shortlink::redirector
