// StoreDigest: admin-api's side of the link-state digest
// (common/link_digest.h): every link of the links table, hashed as a node
// hashes what it serves, at one seq. A node whose GET /digest answers the
// same seq, count and hash holds exactly these links.
//
// Consistent by construction: it reads one RocksDB read view, and every
// commit writes its links and last_seq in one batch (links/link_service.cc),
// so the links seen are exactly those as of seq(). The writer is never held
// up. Not from the in-memory LinkIndex: that one is updated after last_seq
// and under its own lock, so it has no instant of its own to report.
//
// Thread safety: one caller at a time; the database may be written
// meanwhile (the view does not see it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/link_digest.h"
#include "common/result.h"
#include "store/database.h"

namespace shortlink::admin {

class StoreDigest {
 public:
  explicit StoreDigest(Database* db);  // pins the view: seq() is known from here on

  uint64_t seq() const { return seq_; }  // the change the digest is as of
  // Hashes up to `links` more links; false once every link is in (then
  // digest() is the whole answer). In steps, so that a caller on an I/O
  // thread can let other requests in between (~0.3-0.45 us a link).
  Result<bool> Step(size_t links);
  const LinkDigest& digest() const { return digest_; }

  // All steps at once (tests, tools).
  static Result<StoreDigest> Compute(Database* db);

 private:
  std::unique_ptr<ReadView> view_;  // outlives cursor_ (declared first)
  Cursor cursor_;
  uint64_t seq_ = 0;
  LinkDigest digest_;
  std::string scratch_;
};

}  // namespace shortlink::admin
