// ReceivedChange: one change of admin-api's change log (docs/node-protocol.md)
// as a node receives it, from a page of the log (upstream/admin_client.h) or
// from the Redis stream (sync/change_follower.h). A plain value; no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/change.h"
#include "common/link.h"
#include "common/result.h"

namespace shortlink::redirector {

// A change as received from admin-api: decoded for the table, with the link
// record's bytes kept as they were sent (the replica stores them verbatim:
// sync/replica_store.h says why).
struct ReceivedChange {
  uint64_t seq = 0;
  ChangeOp op = ChangeOp::kUpsert;
  Link link;            // decoded (a link op)
  DomainRecord domain;  // decoded (a domain op: IsDomainOp)
  std::string record;   // the encoded link or domain, verbatim

  // Parses an encoded change (docs/node-protocol.md); never trusts lengths.
  static Result<ReceivedChange> Decode(std::string_view encoded_change);
};

}  // namespace shortlink::redirector
