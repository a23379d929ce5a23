#include <simdjson.h>

#include <boost/json.hpp>
#include <charconv>
#include <memory>

#include "accounts/api_key.h"
#include "auth/access.h"
#include "common/protocol.h"
#include "nodes/change_log.h"
#include "nodes/node_routes.h"

namespace shortlink::admin {
namespace {

constexpr size_t kSnapshotChunkBytes = 256 * 1024;

Result<uint64_t> ParseNumber(const RequestContext& rc, const std::string& name, uint64_t fallback) {
  auto it = rc.query.find(name);
  if (it == rc.query.end()) return fallback;
  uint64_t value = 0;
  const std::string& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return MakeError(ErrorCode::kInvalidArgument, name + " must be a whole number.");
  }
  return value;
}

// A principal the access check refuses: as if the route did not exist.
Reply NotFound(const RequestContext& rc) { return rc.Error(ErrorCode::kNotFound, "Not found."); }

Response Binary(const RequestContext& rc, std::string body) {
  Response res{http::status::ok, rc.version()};
  res.set(http::field::content_type, "application/octet-stream");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(rc.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Awaitable NodeChanges(NodeApi& ctx, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kSyncNode)) co_return NotFound(rc);
  auto after = ParseNumber(rc, "after", 0);
  if (!after.ok()) co_return rc.Error(after.error());
  auto limit = ParseNumber(rc, "limit", kDefaultChangesLimit);
  if (!limit.ok()) co_return rc.Error(limit.error());
  if (*limit == 0 || *limit > kMaxChangesLimit) {
    co_return rc.Error(ErrorCode::kInvalidArgument, "limit must be from 1 to 10000.");
  }
  // Read the head first: every change up to it is durable, so the body holds
  // at least what X-Head-Seq promises.
  uint64_t head = ctx.links->last_seq();
  std::string body;
  auto count = ReadChanges(ctx.db, *after, *limit, &body);
  if (!count.ok()) co_return rc.Error(count.error());
  Reply reply{Binary(rc, std::move(body)), {}};
  reply.response.set("X-Head-Seq", std::to_string(std::max(head, *after + *count)));
  co_return reply;
}

Awaitable NodeSnapshot(NodeApi& ctx, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kSyncNode)) co_return NotFound(rc);
  auto domains = rc.query.find("domains");
  bool with_domains = domains != rc.query.end() && domains->second == "1";
  auto reader = std::make_shared<SnapshotReader>(ctx.db, with_domains);
  Reply reply{Binary(rc, {}), {}};
  reply.response.set("X-Snapshot-Seq", std::to_string(reader->seq()));
  if (with_domains)
    reply.response.set("X-Snapshot-Domains", std::to_string(reader->domain_count()));
  reply.chunks = [reader](std::string* out) { return reader->Next(kSnapshotChunkBytes, out); };
  co_return reply;
}

Awaitable NodeClickWatermark(NodeApi& ctx, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kSyncNode)) co_return NotFound(rc);
  auto node = rc.query.find("node");
  // Echoed into the JSON answer: bytes that are not UTF-8 would make the
  // whole answer invalid JSON.
  if (node == rc.query.end() || node->second.empty() || node->second.size() > kMaxNodeIdLength ||
      !simdjson::validate_utf8(node->second.data(), node->second.size())) {
    co_return rc.Error(
        ErrorCode::kInvalidArgument,
        "node is required (at most " + std::to_string(kMaxNodeIdLength) + " characters of UTF-8).");
  }
  boost::json::object body;
  body["node"] = node->second;
  body["applied"] = ctx.links->click_watermark(node->second);
  // This admin-api reads click batches' dimension dictionary
  // (common/click_batch.h): a node of its release may send it.
  body["dimensionDictionary"] = true;
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

}  // namespace

void RegisterNodeRoutes(Router& router, NodeApi& api) {
  using http::verb;
  router.Add({verb::get, "/internal/v1/changes", Auth::kNodeToken, Bind(api, NodeChanges)});
  router.Add({verb::get, "/internal/v1/snapshot", Auth::kNodeToken, Bind(api, NodeSnapshot)});
  router.Add({verb::get, "/internal/v1/clicks/watermark", Auth::kNodeToken,
              Bind(api, NodeClickWatermark)});
  RegisterDigestRoutes(router, api);
}

bool IsNodeToken(const std::string& token, std::string_view presented) {
  return !token.empty() && ConstantTimeEquals(presented, token);
}

}  // namespace shortlink::admin
