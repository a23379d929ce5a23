#include "common/change.h"

#include "common/wire.h"

namespace shortlink {

void EncodeChange(const Change& change, std::string* out) {
  wire::PutVarint(change.seq, out);
  out->push_back(static_cast<char>(change.op));
  if (IsDomainOp(change.op))
    EncodeDomain(change.domain, out);
  else
    EncodeLink(change.link, out);
}

Result<Change> DecodeChange(std::string_view bytes) {
  wire::Reader reader(bytes);
  Change change;
  std::string_view op;
  if (!reader.ReadVarint(&change.seq) || !reader.ReadBytes(1, &op)) {
    return MakeError(ErrorCode::kInvalidArgument, "truncated change record");
  }
  uint8_t op_byte = static_cast<uint8_t>(op[0]);
  if (op_byte < static_cast<uint8_t>(ChangeOp::kUpsert) ||
      op_byte > static_cast<uint8_t>(ChangeOp::kDomainDelete)) {
    return MakeError(ErrorCode::kInvalidArgument, "unknown change op");
  }
  change.op = static_cast<ChangeOp>(op_byte);
  if (IsDomainOp(change.op)) {
    auto domain = DecodeDomain(reader.rest());
    if (!domain.ok()) return domain.error();
    change.domain = std::move(domain).value();
    return change;
  }
  auto link = DecodeLink(reader.rest());
  if (!link.ok()) return link.error();
  change.link = std::move(link).value();
  return change;
}

void AppendFrame(std::string_view record, std::string* out) {
  wire::PutVarint(record.size(), out);
  out->append(record);
}

bool FrameReader::Next(std::string_view* frame, bool* corrupt) {
  *corrupt = false;
  if (consumed_ > 0 && consumed_ * 2 > buffer_.size()) {  // compact now and then, not every frame
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  std::string_view rest(buffer_.data() + consumed_, buffer_.size() - consumed_);
  wire::Reader reader(rest);
  uint64_t len = 0;
  if (!reader.ReadVarint(&len)) {
    *corrupt = rest.size() >= 10;  // a varint never needs more than 10 bytes
    return false;
  }
  if (len > kMaxFrame) {
    *corrupt = true;
    return false;
  }
  if (!reader.ReadBytes(len, frame)) return false;
  consumed_ += rest.size() - reader.rest().size();
  return true;
}

}  // namespace shortlink
