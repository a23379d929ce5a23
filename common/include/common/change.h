// A change: one entry of admin-api's change log, as published on Redis and
// served to redirect nodes. Changes carry the whole link as the edge needs
// it, so a node applies a change without asking for anything else.
//
// Encoding: varint seq | op byte | link record (see link.h), or for the
// domain ops, varint seq | op byte | domain record (see domain.h).
//
// Domains (issue 19) came later as two more ops. A node of a release before
// them refuses a change with an op it does not know (DecodeChange: "unknown
// change op"): it does not crash, but it stops at that change, and its
// follower retries the change log with backoff until the node is upgraded.
// So nodes are upgraded before admin-api, and an admin-api holding no
// domain never writes one of these ops.
// In a stream (change log, snapshot) each record is framed as varint length
// followed by that many bytes; FrameReader takes the stream apart.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/domain.h"
#include "common/link.h"
#include "common/result.h"

namespace shortlink {

enum class ChangeOp : uint8_t {
  kUpsert = 1,
  kDelete = 2,
  kDomainUpsert = 3,  // a custom domain created or changed: `domain` holds it
  kDomainDelete = 4,  // a custom domain removed: `domain` as it was
};

inline bool IsDomainOp(ChangeOp op) {
  return op == ChangeOp::kDomainUpsert || op == ChangeOp::kDomainDelete;
}

struct Change {
  uint64_t seq = 0;
  ChangeOp op = ChangeOp::kUpsert;
  Link link;              // for kDelete, the link as it was before deletion; empty for a domain op
  DomainRecord domain{};  // for a domain op only

  bool operator==(const Change&) const = default;
};

void EncodeChange(const Change& change, std::string* out);
Result<Change> DecodeChange(std::string_view bytes);

// Appends varint(len(record)) | record.
void AppendFrame(std::string_view record, std::string* out);

// Pulls whole frames out of a byte stream that arrives in pieces.
class FrameReader {
 public:
  // Frames larger than this are treated as corruption rather than buffered.
  static constexpr size_t kMaxFrame = 1 << 20;  // bytes

  void Feed(std::string_view bytes) { buffer_.append(bytes); }
  // Returns true and sets `frame` when a whole frame is buffered; the view is
  // valid until the next call. Sets `corrupt` on an impossible length.
  bool Next(std::string_view* frame, bool* corrupt);
  // Bytes received but not yet returned as a frame (a truncated tail).
  size_t pending() const { return buffer_.size() - consumed_; }

 private:
  std::string buffer_;
  size_t consumed_ = 0;
};

}  // namespace shortlink
