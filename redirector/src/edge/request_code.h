// The short code a request asks for, from its path: 1-64 of [a-z0-9-],
// matched case-insensitively, so it is written lowercased into a buffer
// the caller owns. Anything else cannot be a link and needs no lookup.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/protocol.h"

namespace shortlink::redirector {

inline constexpr size_t kCodeBufferBytes = kMaxCodeLength;

// The code `path` (the target without its leading '/' and query) names,
// lowercased into `buffer`; empty when it cannot be a code.
std::string_view CodeOfPath(std::string_view path, char (&buffer)[kCodeBufferBytes]);

}  // namespace shortlink::redirector
