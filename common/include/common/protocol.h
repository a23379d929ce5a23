// Names and limits both programs must agree on, defined once: a node and
// admin-api that disagreed on a channel name would each work alone and
// never hear each other. docs/node-protocol.md is the contract these spell.
#pragma once

#include <cstddef>

namespace shortlink {

// Redis pub/sub channel carrying one encoded change (EncodeChange) per
// message: admin-api PUBLISHes, every node SUBSCRIBEs.
inline constexpr char kChangesChannel[] = "shortlink:changes";

// Redis stream carrying click batches (EncodeClickBatch), one per entry in
// the field kClickBatchField; nodes XADD with MAXLEN ~ kClickStreamMaxLen so
// that a stream nobody reads stays bounded.
inline constexpr char kClickStream[] = "shortlink:clicks";
inline constexpr char kClickBatchField[] = "batch";
inline constexpr size_t kClickStreamMaxLen = 1000000;
// admin-api's consumer group on kClickStream. One writer, so one consumer.
inline constexpr char kClickConsumerGroup[] = "admin-api";
inline constexpr char kClickConsumerName[] = "admin-api-1";

// A short code: 1 to kMaxCodeLength of [a-z0-9-] (common/validation.h
// checks it). The API refuses longer ones, the edge never looks them up,
// and both size their buffers by it.
inline constexpr size_t kMaxCodeLength = 64;
// A target URL, as admin-api accepts it and the edge copies it into a
// Location header.
inline constexpr size_t kMaxUrlLength = 2048;

// A node's id (--node-id; X-Node-Id; the node of a click batch and of the
// click watermark): 1 to kMaxNodeIdLength bytes of UTF-8.
inline constexpr size_t kMaxNodeIdLength = 128;

}  // namespace shortlink
