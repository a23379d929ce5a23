// Warm start: every link of the replica into a LinkSink, on two threads.
//
// At 10M links, scanning and decoding RocksDB and building the table's
// entries take about as long as each other (~3 s and ~2 s here). So one
// thread scans and decodes into packed chunks while the calling thread, the
// table's one writer, inserts them: the two overlap. At most a few MiB of
// chunks are in flight, and they are reused.
//
// Thread safety: call from the applier thread, with nothing else using the
// store (the scanning thread is then the store's only user).
#pragma once

#include "common/result.h"
#include "sync/replica_store.h"
#include "table/link_sink.h"

namespace shortlink::redirector {

// Fills `sink` (empty) with every link of `store`: BeginLoad, InsertNew or
// InsertNewWithRules for each, EndLoad.
Result<LoadStats> LoadReplicaInto(ReplicaStore* store, LinkSink* sink);

}  // namespace shortlink::redirector
