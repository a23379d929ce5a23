// The /api/v1/webhooks routes (issue 20, as Dub's and Bitly's webhooks): a
// team's subscriptions, their delivery logs, and a test ping. Team admins
// manage them (auth/access.h kManageWebhooks), with keys holding the
// webhooks scope; another team's webhook answers 404 like a missing one.
// What is delivered and when: webhooks/dispatcher.h.
#pragma once

#include "http/router.h"
#include "webhooks/dispatcher.h"
#include "webhooks/subscriptions.h"

namespace shortlink::admin {

// What the webhook routes reach; the pointers outlive the router.
struct WebhookApi {
  webhooks::Subscriptions* subscriptions = nullptr;
  webhooks::Dispatcher* dispatcher = nullptr;
  bool allow_private = false;  // --webhooks-allow-private: http:// URLs accepted too
};

// Adds the /api/v1/webhooks routes (API key) to `router`; `api` outlives it.
void RegisterWebhookRoutes(Router& router, WebhookApi& api);

}  // namespace shortlink::admin
