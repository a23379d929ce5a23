// The web dashboard (issue 21): admin-api serves its files from its own
// binary (embedded_files.h), same origin as the API the pages call.
//
//   GET /dashboard          index.html (the pages are its hash routes: #/links, ...)
//   GET /dashboard/{file}   app.js, style.css, ...; 404 for any other name
//
// No credential is needed for the files: they hold no data. The pages then
// call /api/v1 with `Authorization: Bearer`, holding the key or token in
// page memory only. That is also why there is no CSRF token: the API takes
// credentials from the Authorization and x-api-key headers only (http/router.cc,
// Router::Admit), never from a cookie, so a page of another origin cannot
// make the browser send one. `/` and `/dashboard/` are not served: the
// router refuses empty path segments before matching (http/router.cc).
#pragma once

#include "http/router.h"

namespace shortlink::admin {

void RegisterDashboardRoutes(Router& router);

}  // namespace shortlink::admin
