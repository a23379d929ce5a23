// The /api/v1/domains routes: a team's custom domains (issue 19, Shorten
// World's "domain subscriptions"). A domain is a host the team's links live
// on besides the default one, with where "/" on it redirects (rootRedirect)
// and where an unknown code on it redirects (notFoundUrl). Domains are
// committed by the link writer (links/link_service.h: PutDomain,
// RemoveDomain), which gives them change sequence numbers, so they reach the
// redirect nodes exactly as links do.
//
// Another team's domain answers 404 exactly like a missing one.
#pragma once

#include "http/router.h"
#include "links/link_commands.h"

namespace shortlink::admin {

// Adds the /api/v1/domains routes (API key) to `router`; `api` outlives it.
// The domains use its writer (api.links) and URL policy (api.url_policy:
// the default domain's host, refused as a custom one, and the rules a
// rootRedirect or notFoundUrl must pass, those of a link's target).
void RegisterDomainRoutes(Router& router, LinkApi& api);

}  // namespace shortlink::admin
