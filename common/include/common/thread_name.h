// Names the calling thread, as `top -H`, `ps -L`, perf and gdb show it, so
// an operator can tell a request worker from the click flusher. Linux keeps
// the first 15 bytes.
#pragma once

namespace shortlink {

void NameThisThread(const char* name);

}  // namespace shortlink
