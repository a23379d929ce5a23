// GET /api/v1/nodes/digest: admin-api's link-state digest (nodes/
// store_digest.h), to compare with each node's GET /digest on its ops port:
// the same seq, count and hash mean the node holds exactly admin-api's
// links. Site admins only (every team's links go into it); anyone else gets
// the 404 of a route that does not exist, as POST /api/v1/backups answers.
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "auth/access.h"
#include "common/log.h"
#include "nodes/node_routes.h"
#include "nodes/store_digest.h"

namespace shortlink::admin {
namespace {

// Links hashed between two turns of the I/O thread: ~2.5 ms of work, then the
// thread's other connections get their turn (1M links take 0.3-0.45 s in all).
constexpr size_t kLinksPerTurn = 8192;

Awaitable NodesDigest(NodeApi& ctx, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kReadNodeDigest))
    co_return rc.Error(ErrorCode::kNotFound, "Not found.");
  auto executor = co_await boost::asio::this_coro::executor;
  StoreDigest digest(ctx.db);
  for (;;) {
    auto more = digest.Step(kLinksPerTurn);
    if (!more.ok()) {
      // A read error or a record that does not decode: either way the
      // server's fault, not the request's.
      LogError("link digest failed", {{"detail", more.error().message}});
      co_return rc.Error(ErrorCode::kUnavailable, "The links could not be read.");
    }
    if (!*more) break;
    co_await boost::asio::post(executor, boost::asio::use_awaitable);
  }
  co_return rc.Json(http::status::ok, digest.digest().ToJson(digest.seq()));
}

}  // namespace

void RegisterDigestRoutes(Router& router, NodeApi& api) {
  router.Add({http::verb::get, "/api/v1/nodes/digest", Auth::kApiKey, Bind(api, NodesDigest)});
}

}  // namespace shortlink::admin
