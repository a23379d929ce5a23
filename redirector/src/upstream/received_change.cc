#include "upstream/received_change.h"

#include <utility>

#include "common/wire.h"

namespace shortlink::redirector {

Result<ReceivedChange> ReceivedChange::Decode(std::string_view encoded_change) {
  // The link record follows `varint seq | op byte`; find it ourselves so the
  // bytes can be kept verbatim, and let DecodeChange do the validation.
  wire::Reader reader(encoded_change);
  uint64_t seq = 0;
  std::string_view op;
  if (!reader.ReadVarint(&seq) || !reader.ReadBytes(1, &op)) {
    return MakeError(ErrorCode::kInvalidArgument, "truncated change record");
  }
  std::string_view record = reader.rest();
  auto change = DecodeChange(encoded_change);
  if (!change.ok()) return change.error();
  if (change->seq == 0) return MakeError(ErrorCode::kInvalidArgument, "change with seq 0");
  if (!IsDomainOp(change->op) && change->link.code.empty())
    return MakeError(ErrorCode::kInvalidArgument, "change with empty code");
  ReceivedChange out;
  out.seq = change->seq;
  out.op = change->op;
  out.link = std::move(change->link);
  out.domain = std::move(change->domain);
  out.record.assign(record);
  return out;
}

}  // namespace shortlink::redirector
