// AdminClient: the node's side of the node endpoints of admin-api
// (docs/node-protocol.md): pages of the change log, and the streamed
// snapshot. Plain HTTP or HTTPS; with HTTPS the server's certificate is
// verified (chain and host name), against --admin-ca when given, otherwise
// against the system's trust store.
//
// Every operation has a deadline: connecting (resolve, TCP, TLS), and each
// read or write, so a stalled or absent admin-api never blocks the caller
// for longer than the configured timeouts. A snapshot is processed frame by
// frame as it arrives, never held whole in memory.
//
// One keep-alive connection is reused between requests; a request that fails
// on a reused connection before any response arrived is retried once on a
// fresh one (the server may have closed it while idle; GETs are idempotent).
//
// Errors: kGone (410, the log no longer holds what was asked), kUnauthorized
// (401/403: wrong node token), kUnavailable (cannot connect, timeout,
// cancelled, 5xx or any other status), kInternal (a response that breaks the
// protocol: bad frame, bad header), or whatever a callback returned.
//
// Thread safety: requests are made from one thread at a time (they run a
// private io_context on the calling thread). Cancel() may be called from
// any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "upstream/received_change.h"

namespace shortlink::redirector {

struct AdminClientOptions {
  std::string url;         // "http://host:port" or "https://host:port", optional path prefix
  std::string node_token;  // sent as "Authorization: Bearer <token>"
  std::string ca_file;     // PEM of a CA or self-signed certificate to trust; empty: system store
  std::string node_id;     // sent as X-Node-Id, for admin-api's logs and metrics
  std::chrono::milliseconds connect_timeout{2000};  // resolve + TCP connect + TLS handshake
  std::chrono::milliseconds io_timeout{10000};      // each write, and each read of a response
};

// Reads the node token: the file's contents with surrounding whitespace
// trimmed. An empty token is an error.
Result<std::string> ReadNodeTokenFile(const std::string& path);

struct ChangesPage {
  std::vector<ReceivedChange> changes;  // in the order sent (seq order)
  uint64_t head_seq = 0;                // X-Head-Seq: the newest seq in the log
};

class AdminClient {
 public:
  // Checks the URL and loads the CA file; connects lazily.
  static Result<std::unique_ptr<AdminClient>> Create(AdminClientOptions options);
  ~AdminClient();
  AdminClient(const AdminClient&) = delete;
  AdminClient& operator=(const AdminClient&) = delete;

  // GET /internal/v1/changes?after=N&limit=L.
  Result<ChangesPage> GetChanges(uint64_t after, size_t limit);

  // GET /internal/v1/snapshot. Calls `on_start(S)` once the headers have
  // arrived (S from X-Snapshot-Seq), then `on_record(bytes)` for each link
  // record as it arrives. A callback's error aborts the transfer and is
  // returned. Succeeds only when the whole body arrived and ended on a frame
  // boundary.
  //
  // With `on_domain`, asks for the custom domains too (?domains=1): an
  // admin-api that knows them sends X-Snapshot-Domains: N and N domain
  // records before the links, each passed to `on_domain`; one that predates
  // domains sends none. Without it, the links alone, as before domains.
  using SnapshotStart = std::function<Status(uint64_t seq)>;
  using SnapshotRecord = std::function<Status(std::string_view record)>;
  Status GetSnapshot(const SnapshotStart& on_start, const SnapshotRecord& on_record,
                     const SnapshotRecord& on_domain = nullptr);

  // GET /internal/v1/clicks/watermark?node=NODE: the highest click batch
  // number of `node` that admin-api has applied (0: none yet), and whether
  // it reads batches' dimension dictionary (false from a release before it).
  struct ClickWatermark {
    uint64_t applied = 0;
    bool reads_dictionary = false;
  };
  Result<ClickWatermark> GetClickWatermark(const std::string& node);

  // Aborts the request in flight, if any, and makes every later one fail
  // with kUnavailable. For shutdown.
  void Cancel();

  // "host:port" of the admin-api, for logs.
  const std::string& endpoint() const { return endpoint_; }

 private:
  struct Impl;
  explicit AdminClient(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  std::string endpoint_;
};

}  // namespace shortlink::redirector
