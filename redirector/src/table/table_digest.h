// The digest of what a node serves (common/link_digest.h): every link of
// its LinkTable, hashed as admin-api hashes its own, so that an operator
// (or a test) can tell a node that holds exactly admin-api's links at a seq
// from one that drifted.
//
// Thread safety: any thread registered with RCU (RcuThreadScope); it reads
// the table as the lock-free lookups do and never blocks the writer or the
// request threads. Alone it sees a table that may be changing: for a digest
// that matches a seq, call it inside NodeSync::ReadAtAppliedSeq.
#pragma once

#include "common/link_digest.h"
#include "table/link_table.h"

namespace shortlink::redirector {

// One walk of the table: ~50-60 ms per 1M links (~70-byte URLs, 2-core VM).
LinkDigest DigestOfTable(const LinkTable& table);

}  // namespace shortlink::redirector
