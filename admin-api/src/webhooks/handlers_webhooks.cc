#include <boost/json.hpp>
#include <charconv>
#include <vector>

#include "auth/access.h"
#include "common/clock.h"
#include "http/paging.h"
#include "webhooks/webhook_json.h"
#include "webhooks/webhook_routes.h"

namespace shortlink::admin {
namespace {

using webhooks::Webhook;

std::optional<uint64_t> WebhookIdFromPath(std::string_view segment) {
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), id);
  if (ec != std::errc() || end != segment.data() + segment.size() || id == 0) return std::nullopt;
  return id;
}

// The webhook the path names, if it is the caller's team's; another team's
// is answered exactly as a missing one. The segment is echoed only when it
// is an id: it may hold any bytes.
Result<Webhook> TeamWebhook(const WebhookApi& api, const RequestContext& rc) {
  std::optional<uint64_t> id = WebhookIdFromPath(rc.param);
  std::optional<Webhook> webhook;
  if (id) webhook = api.subscriptions->Get(rc.principal->team, *id);
  if (!webhook) {
    return MakeError(ErrorCode::kNotFound, id ? "Webhook " + rc.param + " does not exist."
                                              : std::string("Webhook does not exist."));
  }
  return std::move(*webhook);
}

Awaitable ListWebhooks(WebhookApi& api, RequestContext& rc) {
  if (auto refused = auth::Refusal(*rc.principal, auth::Action::kManageWebhooks))
    co_return rc.Error(*refused);
  auto paging = ParsePaging(rc.query);
  if (!paging.ok()) co_return rc.Error(paging.error());
  size_t total = 0;
  std::vector<Webhook> page =
      api.subscriptions->List(rc.principal->team, paging->offset, paging->limit, &total);
  boost::json::array items;
  for (const Webhook& w : page) items.push_back(webhooks::WebhookToJson(w));
  co_return rc.Json(http::status::ok, paging->ListBody(std::move(items), total));
}

// The answer holds the secret, this once.
Awaitable CreateWebhook(WebhookApi& api, RequestContext& rc) {
  if (auto refused = auth::Refusal(*rc.principal, auth::Action::kManageWebhooks))
    co_return rc.Error(*refused);
  auto input = webhooks::ParseWebhookCreate(rc.req.body(), api.allow_private);
  if (!input.ok()) co_return rc.Error(input.error());
  auto created = api.subscriptions->Create(rc.principal->team, std::move(input->url), input->events,
                                           NowMillis());
  if (!created.ok()) co_return rc.Error(created.error());
  co_return rc.Json(http::status::created,
                    boost::json::serialize(webhooks::WebhookToJson(*created, true)));
}

Awaitable GetWebhook(WebhookApi& api, RequestContext& rc) {
  if (auto refused = auth::Refusal(*rc.principal, auth::Action::kManageWebhooks))
    co_return rc.Error(*refused);
  auto webhook = TeamWebhook(api, rc);
  if (!webhook.ok()) co_return rc.Error(webhook.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(webhooks::WebhookToJson(*webhook)));
}

Awaitable UpdateWebhook(WebhookApi& api, RequestContext& rc) {
  if (auto refused = auth::Refusal(*rc.principal, auth::Action::kManageWebhooks))
    co_return rc.Error(*refused);
  auto current = TeamWebhook(api, rc);  // the path first: another team's is 404 whatever the body
  if (!current.ok()) co_return rc.Error(current.error());
  auto patch = webhooks::ParseWebhookPatch(rc.req.body(), api.allow_private);
  if (!patch.ok()) co_return rc.Error(patch.error());
  auto updated = api.subscriptions->Update(rc.principal->team, current->id, *patch, NowMillis());
  if (!updated.ok()) co_return rc.Error(updated.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(webhooks::WebhookToJson(*updated)));
}

Awaitable DeleteWebhook(WebhookApi& api, RequestContext& rc) {
  if (auto refused = auth::Refusal(*rc.principal, auth::Action::kManageWebhooks))
    co_return rc.Error(*refused);
  auto current = TeamWebhook(api, rc);
  if (!current.ok()) co_return rc.Error(current.error());
  auto removed = api.subscriptions->Remove(rc.principal->team, current->id);
  if (!removed.ok()) co_return rc.Error(removed.error());
  api.dispatcher->Forget(current->id);
  co_return rc.Json(http::status::ok, boost::json::serialize(webhooks::WebhookToJson(*removed)));
}

Awaitable ListDeliveries(WebhookApi& api, RequestContext& rc) {
  if (auto refused = auth::Refusal(*rc.principal, auth::Action::kManageWebhooks))
    co_return rc.Error(*refused);
  auto webhook = TeamWebhook(api, rc);
  if (!webhook.ok()) co_return rc.Error(webhook.error());
  auto paging = ParsePaging(rc.query);
  if (!paging.ok()) co_return rc.Error(paging.error());
  size_t total = 0;
  auto page = api.dispatcher->Log(webhook->id, paging->offset, paging->limit, &total);
  if (!page.ok()) co_return rc.Error(page.error());
  boost::json::array items;
  for (const webhooks::Delivery& d : *page) items.push_back(webhooks::DeliveryToJson(d));
  co_return rc.Json(http::status::ok, paging->ListBody(std::move(items), total));
}

// 202: the ping is stored and queued; its outcome shows in the log.
Awaitable TestWebhook(WebhookApi& api, RequestContext& rc) {
  if (auto refused = auth::Refusal(*rc.principal, auth::Action::kManageWebhooks))
    co_return rc.Error(*refused);
  auto webhook = TeamWebhook(api, rc);
  if (!webhook.ok()) co_return rc.Error(webhook.error());
  if (!webhook->enabled) {
    co_return rc.Error(ErrorCode::kStateConflict,
                       "Webhook " + std::to_string(webhook->id) +
                           " is disabled: PATCH it with {\"enabled\": true} first.");
  }
  auto event_id = api.dispatcher->Ping(*webhook);
  if (!event_id.ok()) co_return rc.Error(event_id.error());
  boost::json::object body;
  body["eventId"] = *event_id;
  body["event"] = "ping";
  co_return rc.Json(http::status::accepted, boost::json::serialize(body));
}

}  // namespace

void RegisterWebhookRoutes(Router& router, WebhookApi& api) {
  using http::verb;
  router.Add({verb::get, "/api/v1/webhooks", Auth::kApiKey, Bind(api, ListWebhooks)});
  router.Add({verb::post, "/api/v1/webhooks", Auth::kApiKey, Bind(api, CreateWebhook)});
  router.Add({verb::get, "/api/v1/webhooks/{webhookId}", Auth::kApiKey, Bind(api, GetWebhook)});
  router.Add(
      {verb::patch, "/api/v1/webhooks/{webhookId}", Auth::kApiKey, Bind(api, UpdateWebhook)});
  router.Add(
      {verb::delete_, "/api/v1/webhooks/{webhookId}", Auth::kApiKey, Bind(api, DeleteWebhook)});
  router.Add({verb::get, "/api/v1/webhooks/{webhookId}/deliveries", Auth::kApiKey,
              Bind(api, ListDeliveries)});
  router.Add(
      {verb::post, "/api/v1/webhooks/{webhookId}/test", Auth::kApiKey, Bind(api, TestWebhook)});
}

}  // namespace shortlink::admin
