#include "nodes/store_digest.h"

#include "store/db_keys.h"

namespace shortlink::admin {

StoreDigest::StoreDigest(Database* db)
    : view_(db->NewReadView()),
      cursor_(db->NewCursor(Table::kLinks, view_.get(), Database::ReadPattern::kLong)),
      seq_(db->GetNumber(Table::kMeta, dbkey::kLastSeq, view_.get())) {
  cursor_.Seek("");  // every domain's links
}

Result<bool> StoreDigest::Step(size_t links) {
  for (size_t i = 0; i < links && cursor_.Valid(); ++i, cursor_.Next()) {
    // The served fields without copying; the whole record only for rules.
    auto served = DecodeServedLink(cursor_.value());
    if (!served.ok()) return served.error();
    if (!served->has_rules) {
      digest_.Add(LinkHash(served->domain, served->code, served->long_url, served->state, nullptr,
                           &scratch_));
      continue;
    }
    auto link = DecodeLink(cursor_.value());
    if (!link.ok()) return link.error();
    digest_.Add(LinkHash(*link));
  }
  if (Status s = cursor_.status(); !s.ok()) return s.error();
  return cursor_.Valid();
}

Result<StoreDigest> StoreDigest::Compute(Database* db) {
  StoreDigest digest(db);
  for (;;) {
    auto more = digest.Step(size_t{1} << 20);
    if (!more.ok()) return more.error();
    if (!*more) return digest;
  }
}

}  // namespace shortlink::admin
