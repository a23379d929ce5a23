// NodeSync: the node's whole sync half behind one object, so that wiring it
// into the redirector (app.cc, RunRedirector) takes a handful of lines: the replica in --data-dir,
// the admin-api client, the Redis subscription and the follower that keeps
// the LinkTable in step (sync/change_follower.h has the state machine).
//
//   auto sync = NodeSync::Create(config, &table, &metrics);   // fails fast on bad flags
//   if (!sync.ok()) ...
//   Status s = (*sync)->Start();   // loads the replica into the table (~0.5 s per 1M links)
//   ... (*sync)->ready() for /healthz ...
//   (*sync)->Stop();               // on SIGTERM, before the table is destroyed
//
// Thread safety: Create/Start/Stop from one owning thread; ready() and
// status() from any thread (request and ops threads).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/metrics.h"
#include "common/redis_locator.h"
#include "common/result.h"
#include "sync/change_follower.h"
#include "sync/replica_store.h"
#include "table/link_table.h"

namespace shortlink::redirector {

// The sync flags of the operator interface (docs/design.md).
struct NodeSyncConfig {
  std::string data_dir;         // --data-dir: the replica
  RedisLocator redis;           // --redis HOST:PORT or --redis-sentinel; none: poll admin-api only
  std::string admin_url;        // --admin-url
  std::string node_token_file;  // --node-token-file
  std::string admin_ca;         // --admin-ca PEM, optional
  std::string node_id;          // --node-id, optional (sent to admin-api for its logs)
  // Called once when the table first holds a complete state (see
  // ChangeFollowerOptions::on_ready). Optional.
  std::function<void()> on_ready;
};

class NodeSync {
 public:
  // Reads the token, checks the URL and CA, opens the replica. `table` must
  // outlive this object; `metrics` may be null, and otherwise must not render
  // after this object is destroyed.
  static Result<std::unique_ptr<NodeSync>> Create(const NodeSyncConfig& config, LinkTable* table,
                                                  MetricsRegistry* metrics);
  ~NodeSync();  // Stop()

  // Loads the replica into the table on the calling thread, then starts the
  // applier thread (the table's only writer from then on) and the Redis
  // subscriber. Call before serving.
  Status Start();
  void Stop();

  bool ready() const { return follower_->ready(); }
  FollowerStatus status() const { return follower_->status(); }
  // Any thread: `read(seq)` sees the table as of the applied seq
  // (ChangeFollower::ReadAtAppliedSeq); it may be called more than once.
  ChangeGate::ReadOutcome ReadAtAppliedSeq(const std::function<void(uint64_t seq)>& read) {
    return follower_->ReadAtAppliedSeq(read);
  }

 private:
  NodeSync() = default;

  std::unique_ptr<ReplicaStore> store_;
  std::unique_ptr<LinkSink> sink_;
  std::unique_ptr<ChangeFollower> follower_;
};

}  // namespace shortlink::redirector
