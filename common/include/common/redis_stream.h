// The Redis stream calls of the click path, over RedisConnection: XADD
// (the redirector's click flusher, pipelined), consumer groups, XREADGROUP
// and acknowledgement (admin-api's click consumer). docs/node-protocol.md
// gives the stream's shape; common/protocol.h its names.
//
// Failure contract as RedisConnection's: a Result error means the
// connection is broken; what Redis refuses comes back as its error text.
// Thread safety: none, as the connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/redis_client.h"
#include "common/result.h"

namespace shortlink {

// Queues `XADD stream MAXLEN ~ approx_max_len * field value` on the
// connection's pipeline; its reply (the new entry's id) is read with
// ReadReply, in order with the others.
void AppendXAdd(RedisConnection& redis, std::string_view stream, size_t approx_max_len,
                std::string_view field, std::string_view value);

// Creates `group` on `stream` (and the stream) reading from its first
// entry, so entries written before the group existed are read too. A group
// that exists already is success. Refused otherwise: an error saying why.
Status EnsureConsumerGroup(RedisConnection& redis, std::string_view stream, std::string_view group);

struct StreamEntry {
  std::string id;
  // Field/value pairs. Empty for an entry delivered but deleted since
  // (XREADGROUP from "0" lists it with no fields).
  std::vector<std::pair<std::string, std::string>> fields;

  // The value of the first field named `name`, or nullptr.
  const std::string* Field(std::string_view name) const;
  // When Redis added the entry, in ms since the epoch of its clock: an
  // id's first part ("1733500000000-0"); 0 for an id not of that form.
  int64_t AddedMillis() const;
};

struct ReadGroupRequest {
  std::string_view stream;
  std::string_view group;
  std::string_view consumer;
  size_t count = 100;
  std::chrono::milliseconds block{0};  // how long Redis waits for new entries; zero: not at all
  // True: re-read the entries delivered to this consumer and not yet
  // acknowledged (id "0"); false: only new ones (">").
  bool pending = false;
};

struct StreamRead {
  std::vector<StreamEntry> entries;  // none when nothing came within `block`
  std::string refused;               // Redis's error reply ("NOGROUP ..."); empty when read
};

// XREADGROUP GROUP g c COUNT n BLOCK ms STREAMS stream id. The
// connection's io_timeout must exceed `block`.
Result<StreamRead> ReadGroup(RedisConnection& redis, const ReadGroupRequest& request);

// XACK and XDEL of `ids`, pipelined: the entries leave the group's pending
// list and the stream.
Status AcknowledgeAndDelete(RedisConnection& redis, std::string_view stream, std::string_view group,
                            std::span<const std::string> ids);

}  // namespace shortlink
