#include "links/link_queries.h"

#include "auth/access.h"
#include "links/link_commands.h"

namespace shortlink::admin {

Result<Link> GetLinkAs(const LinkIndex& index, const auth::Principal& principal,
                       std::string_view code, std::string_view domain) {
  auto normalized = CodeFromPath(code);
  if (!normalized.ok()) return normalized.error();
  std::optional<Link> link = index.Get(LinkKey{domain, *normalized});
  if (!link || !auth::CanSee(principal, *link)) {
    return MakeError(ErrorCode::kNotFound, "Short link \"" + *normalized + "\" does not exist.");
  }
  return std::move(*link);
}

Result<ListResult> ListLinksAs(const LinkIndex& index, const auth::Principal& principal,
                               ListQuery query) {
  if (!auth::Allow(principal, auth::Action::kListLinks))
    return MakeError(ErrorCode::kNotFound, "Not found.");
  query.owner = principal.team;
  return index.List(query);
}

}  // namespace shortlink::admin
