// The redirector process: flags, wiring, signals. main() only calls
// RunRedirector.
//
//   LinkTable   <- NodeSync (replica + follower: the only writer)
//       ^
//   EdgeServer (public port, N worker threads)  -> ThreadClicks -> ClickFlusher -> Redis stream
//   OpsServer  (/healthz, /metrics, /digest on --ops-listen)
#pragma once

namespace shortlink::redirector {

int RunRedirector(int argc, char** argv);

}  // namespace shortlink::redirector
