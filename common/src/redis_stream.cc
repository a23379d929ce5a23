#include "common/redis_stream.h"

#include <charconv>

namespace shortlink {
namespace {

// An entry as XREADGROUP lists it: [id, [field, value, ...] or nil].
bool ParseEntry(RedisReply& in, StreamEntry* out) {
  if (in.type != RedisReply::Type::kArray || in.elements.size() < 2 || !in.elements[0].is_text()) {
    return false;
  }
  out->id = std::move(in.elements[0].text);
  std::vector<RedisReply>& fields = in.elements[1].elements;
  for (size_t f = 0; f + 1 < fields.size(); f += 2) {
    out->fields.emplace_back(std::move(fields[f].text), std::move(fields[f + 1].text));
  }
  return true;
}

}  // namespace

const std::string* StreamEntry::Field(std::string_view name) const {
  for (const auto& [field, value] : fields) {
    if (field == name) return &value;
  }
  return nullptr;
}

int64_t StreamEntry::AddedMillis() const {
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), ms);
  if (ec != std::errc() || end == id.data() + id.size() || *end != '-') return 0;
  return ms;
}

void AppendXAdd(RedisConnection& redis, std::string_view stream, size_t approx_max_len,
                std::string_view field, std::string_view value) {
  std::string max_len = std::to_string(approx_max_len);
  redis.Append({"XADD", stream, "MAXLEN", "~", max_len, "*", field, value});
}

Status EnsureConsumerGroup(RedisConnection& redis, std::string_view stream,
                           std::string_view group) {
  auto reply = redis.Command({"XGROUP", "CREATE", stream, group, "0", "MKSTREAM"});
  if (!reply.ok()) return reply.error();
  if (reply->is_error() && !reply->IsError("BUSYGROUP")) {
    return MakeError(ErrorCode::kUnavailable, "redis refused XGROUP CREATE: " + reply->text);
  }
  return Status::Ok();
}

Result<StreamRead> ReadGroup(RedisConnection& redis, const ReadGroupRequest& request) {
  std::string count = std::to_string(request.count);
  std::string block = std::to_string(request.block.count());
  auto reply =
      redis.Command({"XREADGROUP", "GROUP", request.group, request.consumer, "COUNT", count,
                     "BLOCK", block, "STREAMS", request.stream, request.pending ? "0" : ">"});
  if (!reply.ok()) return reply.error();
  StreamRead read;
  if (reply->is_error()) {
    read.refused = std::move(reply->text);
    return read;
  }
  // [[stream, [entry, ...]]], or nil when BLOCK passed with nothing new.
  if (reply->type != RedisReply::Type::kArray || reply->elements.empty()) return read;
  RedisReply& stream = reply->elements[0];
  if (stream.elements.size() < 2) return read;
  for (RedisReply& entry : stream.elements[1].elements) {
    StreamEntry parsed;
    if (ParseEntry(entry, &parsed)) read.entries.push_back(std::move(parsed));
  }
  return read;
}

Status AcknowledgeAndDelete(RedisConnection& redis, std::string_view stream, std::string_view group,
                            std::span<const std::string> ids) {
  if (ids.empty()) return Status::Ok();
  std::vector<std::string_view> ack = {"XACK", stream, group};
  std::vector<std::string_view> del = {"XDEL", stream};
  for (const std::string& id : ids) {
    ack.push_back(id);
    del.push_back(id);
  }
  redis.Append(ack);
  redis.Append(del);
  for (int i = 0; i < 2; ++i) {
    auto reply = redis.ReadReply();
    if (!reply.ok()) return reply.error();
  }
  return Status::Ok();
}

}  // namespace shortlink
