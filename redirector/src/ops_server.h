// OpsServer: /healthz, /metrics and /digest for operators, on a port of their own
// (loopback by default) and never on the public port, where every path is a
// short code. One thread; plain HTTP/1.1 with Beast.
//
// Thread safety: Start/Stop from one owning thread; the handler runs on the
// server's thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"

namespace shortlink::redirector {

struct OpsReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using OpsHandler = std::function<OpsReply(const std::string& path)>;

class OpsServer {
 public:
  explicit OpsServer(OpsHandler handler);
  ~OpsServer();  // Stop()

  Result<unsigned short> Start(const std::string& host, unsigned short port);
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shortlink::redirector
