#include "table/table_digest.h"

#include <string>

namespace shortlink::redirector {

LinkDigest DigestOfTable(const LinkTable& table) {
  LinkDigest digest;
  std::string scratch;  // the rules' bytes, reused: no allocation per link
  table.ForEach([&](const LinkView& link) {
    const LinkRules* rules = link.rules ? &link.rules->rules : nullptr;
    digest.Add(LinkHash(link.domain, link.code, link.long_url, link.state, rules, &scratch));
  });
  return digest;
}

}  // namespace shortlink::redirector
