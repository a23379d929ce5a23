#include "sync/node_sync.h"

#include "table/link_table_sink.h"

namespace shortlink::redirector {

Result<std::unique_ptr<NodeSync>> NodeSync::Create(const NodeSyncConfig& config, LinkTable* table,
                                                   MetricsRegistry* metrics) {
  if (config.data_dir.empty())
    return MakeError(ErrorCode::kInvalidArgument, "--data-dir is required");
  if (config.admin_url.empty())
    return MakeError(ErrorCode::kInvalidArgument, "--admin-url is required");
  if (config.node_token_file.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "--node-token-file is required");
  }
  auto token = ReadNodeTokenFile(config.node_token_file);
  if (!token.ok()) return token.error();

  AdminClientOptions admin_options;
  admin_options.url = config.admin_url;
  admin_options.node_token = std::move(token).value();
  admin_options.ca_file = config.admin_ca;
  admin_options.node_id = config.node_id;
  auto admin = AdminClient::Create(std::move(admin_options));
  if (!admin.ok())
    return MakeError(admin.error().code, "--admin-url/--admin-ca: " + admin.error().message);

  auto store = ReplicaStore::Open(config.data_dir);
  if (!store.ok()) return store.error();

  std::unique_ptr<NodeSync> sync(new NodeSync());
  sync->store_ = std::move(store).value();
  sync->sink_ = std::make_unique<LinkTableSink>(table);
  ChangeFollowerOptions options;
  options.redis = config.redis;
  options.on_ready = config.on_ready;
  sync->follower_ = std::make_unique<ChangeFollower>(
      sync->store_.get(), sync->sink_.get(), std::move(admin).value(), std::move(options), metrics);
  return sync;
}

NodeSync::~NodeSync() { Stop(); }

Status NodeSync::Start() { return follower_->Start(); }

void NodeSync::Stop() {
  if (follower_) follower_->Stop();
}

}  // namespace shortlink::redirector
