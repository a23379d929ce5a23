#include "sync/replica_loader.h"

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/thread_name.h"

namespace shortlink::redirector {
namespace {

constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr size_t kChunksInFlight = 8;

// A link in a chunk: this header, then the domain (empty for the default
// one), the code, the URL and, for a link with rules only, its whole record
// (decoded again on the inserting side).
struct PackedHeader {
  uint32_t record_len;
  uint16_t url_len;
  uint8_t code_len;
  uint8_t state;
  uint8_t domain_len;
};
constexpr uint32_t kNoRecord = UINT32_MAX;

void Append(const ServedLink& link, std::string* chunk) {
  // Longer than admin-api allows: the table would refuse them anyway.
  if (link.code.size() > UINT8_MAX || link.long_url.size() > UINT16_MAX ||
      link.domain.size() > UINT8_MAX)
    return;
  PackedHeader h{link.has_rules ? static_cast<uint32_t>(link.record.size()) : kNoRecord,
                 static_cast<uint16_t>(link.long_url.size()),
                 static_cast<uint8_t>(link.code.size()), static_cast<uint8_t>(link.state),
                 static_cast<uint8_t>(link.domain.size())};
  chunk->append(reinterpret_cast<const char*>(&h), sizeof h);
  chunk->append(link.domain);
  chunk->append(link.code);
  chunk->append(link.long_url);
  if (link.has_rules) chunk->append(link.record);
}

void InsertChunk(std::string_view chunk, LinkSink* sink) {
  while (chunk.size() >= sizeof(PackedHeader)) {
    PackedHeader h;
    memcpy(&h, chunk.data(), sizeof h);
    chunk.remove_prefix(sizeof h);
    std::string_view domain = chunk.substr(0, h.domain_len);
    chunk.remove_prefix(h.domain_len);
    std::string_view code = chunk.substr(0, h.code_len);
    std::string_view url = chunk.substr(h.code_len, h.url_len);
    chunk.remove_prefix(size_t{h.code_len} + h.url_len);
    auto state = static_cast<LinkState>(h.state);
    LinkKey key{domain, code};
    if (h.record_len == kNoRecord) {
      sink->InsertNew(key, url, state);
      continue;
    }
    // Rare: the whole record is decoded only for links with rules.
    auto full = DecodeLink(chunk.substr(0, h.record_len));
    chunk.remove_prefix(h.record_len);
    if (full.ok())
      sink->InsertNewWithRules(*full);
    else
      sink->InsertNew(key, url, state);
  }
}

// Full chunks from the scanner to the inserter, and empty ones back.
class ChunkQueue {
 public:
  std::string TakeEmpty() {
    std::lock_guard<std::mutex> lock(mu_);
    if (empty_.empty()) {
      std::string chunk;
      chunk.reserve(kChunkBytes + 4096);
      return chunk;
    }
    std::string chunk = std::move(empty_.back());
    empty_.pop_back();
    return chunk;
  }
  // Waits for room; false once the inserter has given up.
  bool Push(std::string chunk) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [this] { return full_.size() < kChunksInFlight || abandoned_; });
    if (abandoned_) return false;
    full_.push_back(std::move(chunk));
    ready_.notify_one();
    return true;
  }
  void Finish() {
    std::lock_guard<std::mutex> lock(mu_);
    finished_ = true;
    ready_.notify_one();
  }
  // Waits for a chunk; false once the scanner has finished and all are taken.
  bool Pop(std::string* chunk) {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [this] { return !full_.empty() || finished_; });
    if (full_.empty()) return false;
    *chunk = std::move(full_.front());
    full_.pop_front();
    room_.notify_one();
    return true;
  }
  void Recycle(std::string chunk) {
    chunk.clear();
    std::lock_guard<std::mutex> lock(mu_);
    empty_.push_back(std::move(chunk));
  }
  void Abandon() {
    std::lock_guard<std::mutex> lock(mu_);
    abandoned_ = true;
    room_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<std::string> full_;
  std::vector<std::string> empty_;
  bool finished_ = false;
  bool abandoned_ = false;
};

}  // namespace

Result<LoadStats> LoadReplicaInto(ReplicaStore* store, LinkSink* sink) {
  sink->BeginLoad(store->EstimatedLinks());
  ChunkQueue queue;
  Result<LoadStats> scanned = LoadStats{};
  std::thread scanner([&] {
    NameThisThread("replica-scan");
    std::string chunk = queue.TakeEmpty();
    bool wanted = true;
    auto result = store->LoadAll([&](const ServedLink& link) {
      if (!wanted) return;  // the inserter gave up: let the scan run out
      Append(link, &chunk);
      if (chunk.size() < kChunkBytes) return;
      wanted = queue.Push(std::move(chunk));
      chunk = queue.TakeEmpty();
    });
    if (wanted && !chunk.empty()) queue.Push(std::move(chunk));
    scanned = std::move(result);
    queue.Finish();
  });
  // An insert that throws (out of memory) must not leave the scanner
  // blocked on a full queue, nor its thread unjoined.
  struct JoinOnExit {
    ChunkQueue& queue;
    std::thread& scanner;
    ~JoinOnExit() {
      queue.Abandon();
      scanner.join();
    }
  } join_on_exit{queue, scanner};
  std::string chunk;
  while (queue.Pop(&chunk)) {
    InsertChunk(chunk, sink);
    queue.Recycle(std::move(chunk));
  }
  sink->EndLoad();
  return scanned;  // complete: Pop returned false only after Finish
}

}  // namespace shortlink::redirector
