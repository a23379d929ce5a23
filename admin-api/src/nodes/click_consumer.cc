#include "nodes/click_consumer.h"

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdarg>
#include <memory>

#include "common/click_batch.h"
#include "common/log.h"
#include "common/options.h"
#include "common/thread_name.h"

namespace shortlink::admin {
namespace {

constexpr const char* kGroup = "admin-api";
constexpr const char* kConsumer = "admin-api-1";  // one writer, so one consumer
constexpr int kReadCount = 256;                   // entries per XREADGROUP
constexpr int kBlockMs = 500;                     // how long XREADGROUP waits; bounds shutdown time

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;
struct ContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;

ReplyPtr Command(redisContext* c, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  void* reply = redisvCommand(c, format, ap);
  va_end(ap);
  return ReplyPtr(static_cast<redisReply*>(reply));
}

bool IsError(const ReplyPtr& r, const char* prefix = "") {
  return r && r->type == REDIS_REPLY_ERROR &&
         std::string_view(r->str, r->len).rfind(prefix, 0) == 0;
}

}  // namespace

ClickConsumer::ClickConsumer(std::string redis, LinkService* links, MetricsRegistry* metrics)
    : redis_(std::move(redis)),
      links_(links),
      batches_(metrics->GetCounter("admin_click_batches_total",
                                   "Click batches applied (duplicates included).")),
      refused_(metrics->GetCounter(
          "admin_click_batches_refused_total",
          "Click batches refused (unreadable or out of order); nodes resend in order.")) {
  if (!redis_.empty()) {
    thread_ = std::thread([this] {
      NameThisThread("click-consumer");
      Run();
    });
  }
}

ClickConsumer::~ClickConsumer() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void ClickConsumer::Run() {
  std::string host;
  unsigned short port = 0;
  if (!ParseHostPort(redis_, &host, &port, false).ok()) return;
  ContextPtr conn;
  bool read_pending = true;  // after (re)connecting, first re-read what was delivered but not acked
  auto backoff = std::chrono::milliseconds(100);
  while (!stopping_) {
    if (!conn) {
      timeval timeout{2, 0};
      conn.reset(redisConnectWithTimeout(host.c_str(), port, timeout));
      if (!conn || conn->err) {
        conn.reset();
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
        continue;
      }
      redisSetTimeout(conn.get(), timeval{2, 0});
      backoff = std::chrono::milliseconds(100);
      // From 0: entries written before the group existed are read too (duplicates are harmless).
      ReplyPtr r = Command(conn.get(), "XGROUP CREATE %s %s 0 MKSTREAM", kClickStream, kGroup);
      if (!r || (r->type == REDIS_REPLY_ERROR && !IsError(r, "BUSYGROUP"))) {
        conn.reset();
        continue;
      }
      read_pending = true;
    }
    ReplyPtr r =
        Command(conn.get(), "XREADGROUP GROUP %s %s COUNT %d BLOCK %d STREAMS %s %s", kGroup,
                kConsumer, kReadCount, kBlockMs, kClickStream, read_pending ? "0" : ">");
    if (!r || IsError(r, "NOGROUP")) {  // Redis gone, or restarted without our group
      if (r) LogWarn("click stream group missing; recreating it");
      conn.reset();
      continue;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
      read_pending = false;
      continue;
    }
    redisReply* entries = r->element[0]->element[1];  // [[stream, [[id, [field, value...]]...]]]
    if (entries->elements == 0) {
      read_pending = false;
      continue;
    }
    std::vector<std::string> ids;
    std::vector<Mutation> mutations;
    for (size_t i = 0; i < entries->elements; ++i) {
      redisReply* entry = entries->element[i];
      ids.emplace_back(entry->element[0]->str, entry->element[0]->len);
      redisReply* fields = entry->element[1];
      bool decoded = false;
      for (size_t f = 0; fields && f + 1 < fields->elements; f += 2) {
        if (std::string_view(fields->element[f]->str, fields->element[f]->len) != "batch") continue;
        auto batch = DecodeClickBatch(
            std::string_view(fields->element[f + 1]->str, fields->element[f + 1]->len));
        if (batch.ok()) {
          mutations.emplace_back(ApplyClicks{std::move(batch).value()});
          decoded = true;
        }
      }
      if (!decoded) {
        refused_->Add();
        LogWarn("unreadable click batch dropped from the stream", {{"id", ids.back()}});
      }
    }
    if (!mutations.empty()) {
      auto results = links_->SubmitAndWait(std::move(mutations));
      bool storage_failed = false;
      for (const auto& result : results) {
        if (result.status.ok())
          batches_->Add();
        else if (result.status.error().code == ErrorCode::kInvalidArgument)
          refused_->Add();
        else
          storage_failed = true;
      }
      if (storage_failed) {
        // Not durable: leave the entries pending; they are read again after a pause.
        read_pending = true;
        std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
    }
    for (const std::string& id : ids) {
      Command(conn.get(), "XACK %s %s %s", kClickStream, kGroup, id.c_str());
      Command(conn.get(), "XDEL %s %s", kClickStream, id.c_str());
    }
  }
}

}  // namespace shortlink::admin
