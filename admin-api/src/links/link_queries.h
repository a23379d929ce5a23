// Link queries: reading one link and listing a principal's links from the
// index, through the access check of auth/access.h, as plain functions the
// JSON handlers (handlers_urls.cc) map to and from.
//
// Thread safety: any number of threads at once (the index takes its shared
// lock per call).
#pragma once

#include <string_view>

#include "auth/principal.h"
#include "common/link.h"
#include "common/result.h"
#include "links/link_index.h"

namespace shortlink::admin {

// The link `code` names, if `principal` may see it; kNotFound for a code
// that cannot name a link, a link that does not exist, and one that is not
// the principal's (the three are not told apart).
// `domain` is the link's, normalized (empty: the default domain).
Result<Link> GetLinkAs(const LinkIndex& index, const auth::Principal& principal,
                       std::string_view code, std::string_view domain = {});

// A page of `principal`'s links: `query` with its owner set to the
// principal's, whatever it held.
Result<ListResult> ListLinksAs(const LinkIndex& index, const auth::Principal& principal,
                               ListQuery query);

}  // namespace shortlink::admin
