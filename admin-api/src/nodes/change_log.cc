#include "nodes/change_log.h"

#include "common/change.h"
#include "store/db_keys.h"

namespace shortlink::admin {

Result<size_t> ReadChanges(Database* db, uint64_t after, size_t limit, std::string* out) {
  size_t count = 0;
  uint64_t expected = after + 1;
  bool gone = false;
  Cursor it = db->NewCursor(Table::kChanges);
  for (it.Seek(dbkey::Change(expected)); it.Valid() && count < limit; it.Next()) {
    uint64_t seq = 0;
    if (!dbkey::ParseNumber(it.key(), &seq) || seq != expected) {
      // The log was compacted past what the node asks for.
      gone = count == 0;
      break;
    }
    AppendFrame(it.value(), out);
    ++count;
    ++expected;
  }
  if (Status s = it.status(); !s.ok()) return s.error();
  if (gone)
    return MakeError(ErrorCode::kGone,
                     "The change log no longer holds these changes; take a snapshot.");
  return count;
}

SnapshotReader::SnapshotReader(Database* db, bool domains)
    : view_(db->NewReadView()),
      cursor_(db->NewCursor(Table::kLinks, view_.get(), Database::ReadPattern::kLong)),
      seq_(db->GetNumber(Table::kMeta, dbkey::kLastSeq, view_.get())) {
  if (domains) {
    // Few (a deployment's domains, not its links): held whole. A failed
    // read leaves them out, and the node then drops domains it has: so
    // give no snapshot rather than a wrong one (Next reports it).
    domains_status_ = db->Scan(
        Table::kDomains, "",
        [&](std::string_view, std::string_view value) {
          AppendFrame(value, &domain_frames_);
          ++domain_count_;
          return true;
        },
        view_.get());
  }
  cursor_.Seek("");  // every domain's links
}

Result<bool> SnapshotReader::Next(size_t min_bytes, std::string* out) {
  if (!domains_status_.ok()) return domains_status_.error();
  if (!domain_frames_.empty()) {
    out->append(domain_frames_);
    domain_frames_.clear();
  }
  while (out->size() < min_bytes && cursor_.Valid()) {
    AppendFrame(cursor_.value(), out);
    cursor_.Next();
  }
  if (Status s = cursor_.status(); !s.ok()) return s.error();
  return cursor_.Valid();
}

}  // namespace shortlink::admin
