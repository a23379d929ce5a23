#include "clicks/click_flusher.h"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/click_batch.h"
#include "common/log.h"
#include "common/options.h"
#include "common/thread_name.h"
#include "common/wire.h"

namespace shortlink::redirector {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kStateMagic = "SLCLICK1";
constexpr size_t kEntryOverhead = 64;  // per code in an open batch: node, hash, bucket
constexpr size_t kBatchOverhead = 128;
constexpr size_t kMaxFillers = 10000;  // empty batches sent per flush to close a gap
constexpr auto kStopResend = 1s;       // while stopping, resend sooner: time is short
constexpr auto kStopPoll = 50ms;
// A full click table is merged a part at a time, with a short sleep between
// parts: the collector shares a core with a worker (the benchmark pins them
// together), and merging a whole table at once kept the worker off its core
// for 1-5 ms (perf sched), a visible p99. A part is 1/8 of the table, ~1,500
// codes; the pauses add ~4 ms per table, far below the ~60 ms a worker takes
// to fill its spare even at 200,000 distinct codes a second.
constexpr size_t kDrainParts = 8;
constexpr auto kDrainPause = 500us;

uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

// The node id as a file-name component: unreserved bytes kept, others hex.
std::string FileSafe(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

std::string EncodeBatch(const std::string& node, uint64_t number,
                        const ClickFlusher::CodeCounts& counts) {
  ClickBatch batch{node, number, {}};
  batch.clicks.reserve(counts.size());
  for (const auto& [code, count] : counts) batch.clicks.emplace_back(code, count);
  std::string out;
  EncodeClickBatch(batch, &out);
  return out;
}

// Writes `bytes` to `path` so that a crash leaves either the old file or
// the new one: temp file, fsync, rename, fsync of the directory.
Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  auto fail = [&](const char* what) {
    return Status(MakeError(ErrorCode::kInternal,
                            std::string(what) + " " + path + ": " + std::strerror(errno)));
  };
  std::string temp = path + ".new";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot create");
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return fail("cannot write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return fail("cannot fsync");
  }
  if (::close(fd) != 0) return fail("cannot close");
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail("cannot rename");
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);  // the rename itself durable; best effort on odd file systems
    ::close(dir_fd);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ClickFlusher>> ClickFlusher::Create(
    const std::vector<std::unique_ptr<ThreadClicks>>& sources, std::unique_ptr<AdminClient> admin,
    ClickFlusherOptions options, MetricsRegistry* metrics) {
  // admin-api refuses longer node names on the watermark endpoint.
  if (options.node_id.empty() || options.node_id.size() > 128) {
    return MakeError(ErrorCode::kInvalidArgument, "--node-id must be 1 to 128 characters");
  }
  if (!admin) return MakeError(ErrorCode::kInvalidArgument, "click flusher needs an admin client");
  std::string host;
  unsigned short port = 0;
  if (!options.redis.empty()) {
    if (Status s = ParseHostPort(options.redis, &host, &port, false); !s.ok()) {
      return MakeError(ErrorCode::kInvalidArgument, "--redis: " + s.error().message);
    }
  }
  std::vector<ThreadClicks*> raw;
  for (const auto& s : sources) {
    if (s) raw.push_back(s.get());
  }
  std::unique_ptr<ClickFlusher> flusher(
      new ClickFlusher(std::move(raw), std::move(admin), std::move(options), metrics));
  flusher->redis_host_ = std::move(host);
  flusher->redis_port_ = port;
  flusher->LoadState();
  flusher->UpdateGauges();
  return flusher;
}

ClickFlusher::ClickFlusher(std::vector<ThreadClicks*> sources, std::unique_ptr<AdminClient> admin,
                           ClickFlusherOptions options, MetricsRegistry* m)
    : sources_(std::move(sources)),
      admin_(std::move(admin)),
      options_(std::move(options)),
      state_path_(options_.data_dir.empty()
                      ? std::string()
                      : options_.data_dir + "/clicks-" + FileSafe(options_.node_id) + ".state"),
      resend_interval_(options_.resend_after),
      batches_sent_(m->GetCounter("shortlink_redirector_click_batches_sent_total",
                                  "Click batches written to the Redis stream (resends included).")),
      batches_resent_(m->GetCounter(
          "shortlink_redirector_click_batches_resent_total",
          "Click batches written again because admin-api had not applied them in time.")),
      batches_acked_(m->GetCounter("shortlink_redirector_click_batches_acked_total",
                                   "Click batches admin-api reported applied (its watermark).")),
      clicks_acked_(m->GetCounter("shortlink_redirector_clicks_acked_total",
                                  "Clicks in batches admin-api reported applied.")),
      batches_dropped_(m->GetCounter(
          "shortlink_redirector_click_batches_dropped_total",
          "Click batches dropped because the pending buffer overflowed (clicks lost).")),
      clicks_lost_(
          m->GetCounter("shortlink_redirector_clicks_lost_total",
                        "Clicks lost with batches dropped from the overflowing pending buffer.")),
      state_errors_(m->GetCounter("shortlink_redirector_click_state_errors_total",
                                  "Failures to read or write the click state file.")),
      pending_batches_(m->GetGauge("shortlink_redirector_click_batches_pending",
                                   "Click batches not yet applied by admin-api.")),
      pending_clicks_(m->GetGauge("shortlink_redirector_clicks_pending",
                                  "Clicks counted here and not yet applied by admin-api.")),
      redis_connected_(m->GetGauge("shortlink_redirector_clicks_redis_connected",
                                   "1 while the click flusher is connected to Redis.")),
      watermark_gauge_(m->GetGauge("shortlink_redirector_click_watermark",
                                   "admin-api's applied click batch number for this node.")) {}

ClickFlusher::~ClickFlusher() {
  Stop();
  if (redis_) redisFree(redis_);
}

void ClickFlusher::Start() {
  if (thread_.joinable() || stopped_) return;
  collector_ = std::thread([this] {
    NameThisThread("click-collect");
    CollectLoop();
  });
  thread_ = std::thread([this] {
    NameThisThread("click-flusher");
    Run();
  });
}

bool ClickFlusher::SleepUntil(Clock::time_point when) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_until(lock, when, [this] { return stopping_; });
}

void ClickFlusher::CollectLoop() {
  // Tables are taken every collect_interval on this thread, whatever the
  // flusher thread is doing: a worker whose table fills (many distinct
  // codes) gets its spare back within milliseconds even while a flush
  // waits seconds for a hung admin-api or Redis (before, the two shared a
  // thread and such a wait dropped most clicks of a busy node).
  while (SleepUntil(Clock::now() + options_.collect_interval)) Collect(false);
}

void ClickFlusher::Run() {
  // Workers are asked for their tables this long before a flush, so that
  // the flush carries every click up to then (a worker's own timer would
  // otherwise hold clicks back for up to another interval).
  const auto handover_lead = 2 * options_.collect_interval;
  auto next_flush = Clock::now() + options_.interval;
  for (;;) {
    if (options_.request_handover) {
      if (!SleepUntil(next_flush - handover_lead)) return;
      for (ThreadClicks* source : sources_) source->RequestHandover();
    }
    if (!SleepUntil(next_flush)) return;
    AddCollected(TakeCollected());
    Flush(false);
    next_flush += options_.interval;
    // After a slow flush (timeouts), wait a full interval rather than burst.
    if (next_flush < Clock::now()) next_flush = Clock::now() + options_.interval;
  }
}

void ClickFlusher::Stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (collector_.joinable()) collector_.join();
  if (thread_.joinable()) thread_.join();

  // The workers have exited: their active tables are ours to drain now.
  Collect(true);
  AddCollected(TakeCollected());
  auto deadline = Clock::now() + options_.stop_timeout;
  while (!pending_.empty()) {
    Flush(true);
    if (pending_.empty()) break;
    // Without a watermark nothing can be numbered; without Redis nothing
    // can be sent; either way the state file carries it to the next start.
    if (!confirmed_ || !admin_ok_ || !redis_ || options_.redis.empty()) break;
    if (Clock::now() + kStopPoll >= deadline) break;
    std::this_thread::sleep_for(kStopPoll);
  }
  Persist(true);
  UpdateGauges();
  uint64_t counted = 0;  // by the workers since start: compare with acked_since_start
  for (const ThreadClicks* source : sources_) counted += source->clicks() - source->dropped();
  if (pending_.empty()) {
    LogInfo("clicks flushed", {{"watermark", std::to_string(watermark_)},
                               {"counted_since_start", std::to_string(counted)},
                               {"acked_since_start", std::to_string(clicks_acked_->value())}});
  } else {
    LogWarn("clicks left pending for the next start",
            {{"batches", std::to_string(pending_.size())},
             {"clicks", std::to_string(pending_clicks_->value())},
             {"state", state_path_}});
  }
  if (redis_) {
    redisFree(redis_);
    redis_ = nullptr;
    redis_connected_->Set(0);
  }
}

void ClickFlusher::Flush(bool stopping) {
  // While the admin has acknowledged everything and numbering is known,
  // there is nothing the watermark could tell us.
  if (!confirmed_ || !pending_.empty()) PollWatermark();
  Send(stopping);
  Persist(stopping);
  UpdateGauges();
}

void ClickFlusher::Collect(bool after_stop) {
  auto drain = [this, after_stop](const ClickTable& table) {
    for (size_t part = 0; part < kDrainParts; ++part) {
      if (part > 0 && !after_stop) std::this_thread::sleep_for(kDrainPause);
      std::lock_guard<std::mutex> lock(collected_mu_);
      size_t begin = part * ClickTable::kCapacity / kDrainParts;
      table.ForEachIn(begin, begin + ClickTable::kCapacity / kDrainParts,
                      [&counts = collected_](std::string_view code, uint64_t n) {
                        if (auto it = counts.find(code); it != counts.end())
                          it->second += n;
                        else
                          counts.emplace(std::string(code), n);
                      });
    }
  };
  for (ThreadClicks* source : sources_) {
    if (ClickTable* table = source->TakeFull()) {
      drain(*table);
      source->ReturnSpare(table);
    }
    if (after_stop) {
      if (ClickTable* table = source->TakeActiveAfterStop()) {
        drain(*table);
        source->ReturnSpare(table);
      }
    }
  }
}

ClickFlusher::CodeCounts ClickFlusher::TakeCollected() {
  // The collector goes on with a map sized for a second like the last one,
  // allocated here, outside its lock, so it does not rehash as it grows.
  CodeCounts taken;
  taken.reserve(collected_last_size_);
  {
    std::lock_guard<std::mutex> lock(collected_mu_);
    taken.swap(collected_);
  }
  collected_last_size_ = taken.size();
  return taken;
}

void ClickFlusher::AddCollected(CodeCounts collected) {
  if (collected.empty()) return;
  // Clicks join the open batch at the tail when there is one (Redis down,
  // admin-api slow): one growing batch instead of one per second.
  Pending* tail = nullptr;
  if (!pending_.empty() && !pending_.back().sealed &&
      pending_.back().counts.size() < options_.max_batch_codes) {
    tail = &pending_.back();
  } else {
    tail = &pending_.emplace_back();
    tail->number = next_number_++;
    tail->bytes = kBatchOverhead;
  }
  if (tail->counts.empty()) {
    // The usual case (the last batch went out sealed): the second's counts
    // become the batch as they are. Copying them code by code made the
    // flush a burst of tens of thousands of allocations, run on the same
    // core as a worker (bench/redirect_vs_nginx.py --sched-trace).
    tail->counts = std::move(collected);
    for (const auto& [code, n] : tail->counts) {
      tail->clicks += n;
      tail->bytes += code.size() + kEntryOverhead;
    }
  } else {
    for (const auto& [code, n] : collected) {
      auto [it, inserted] = tail->counts.try_emplace(code, 0);
      it->second += n;
      tail->clicks += n;
      if (inserted) tail->bytes += code.size() + kEntryOverhead;
    }
  }
  state_dirty_ = true;
  EnforceBounds();
}

void ClickFlusher::EnforceBounds() {
  size_t bytes = 0;
  for (const Pending& p : pending_) bytes += p.bytes;
  while (!pending_.empty() &&
         (pending_.size() > options_.max_pending_batches || bytes > options_.max_pending_bytes)) {
    const Pending& oldest = pending_.front();
    batches_dropped_->Add();
    clicks_lost_->Add(oldest.clicks);
    LogError("click buffer full: oldest batch dropped",
             {{"number", std::to_string(oldest.number)},
              {"clicks", std::to_string(oldest.clicks)},
              {"pending", std::to_string(pending_.size() - 1)}});
    bytes -= oldest.bytes;
    // Its number, if it was sealed, becomes a gap that Send() fills with an
    // empty batch; an open one's number is reused by Renumber().
    pending_.pop_front();
    state_dirty_ = true;
  }
}

bool ClickFlusher::PollWatermark() {
  auto watermark = admin_->GetClickWatermark(options_.node_id);
  if (!watermark.ok()) {
    if (admin_ok_ || !confirmed_) {
      LogWarn("cannot read the click watermark from admin-api",
              {{"error", watermark.error().message}});
    }
    admin_ok_ = false;
    return false;
  }
  if (!admin_ok_ && confirmed_) LogInfo("click watermark readable again");
  admin_ok_ = true;
  OnWatermark(*watermark);
  return true;
}

void ClickFlusher::OnWatermark(uint64_t watermark) {
  if (confirmed_ && watermark < watermark_) {
    LogWarn("admin-api's click watermark went back (its data restored?)",
            {{"was", std::to_string(watermark_)}, {"now", std::to_string(watermark)}});
  }
  if (!confirmed_ || watermark > watermark_) {
    last_progress_ = Clock::now();
    resend_interval_ = options_.resend_after;
  }
  confirmed_ = true;
  watermark_ = watermark;
  while (!pending_.empty() && pending_.front().sealed && pending_.front().number <= watermark) {
    batches_acked_->Add();
    clicks_acked_->Add(pending_.front().clicks);
    pending_.pop_front();
    state_dirty_ = true;
  }
  Renumber();
}

void ClickFlusher::Renumber() {
  // Open batches were never sent: they take the numbers right after what
  // admin-api has applied and what is sealed. A number at or below the
  // watermark would be taken for a duplicate and its clicks lost; that is
  // what a lost or stale state file would otherwise cause.
  uint64_t last = watermark_;
  for (Pending& p : pending_) {
    if (p.sealed) {
      last = std::max(last, p.number);
      continue;
    }
    if (p.number != last + 1) {
      p.number = last + 1;
      state_dirty_ = true;
    }
    last = p.number;
  }
  if (next_number_ != last + 1) {
    next_number_ = last + 1;
    state_dirty_ = true;
  }
}

void ClickFlusher::Seal() {
  size_t in_flight = 0;
  for (Pending& p : pending_) {
    if (p.sealed) {
      ++in_flight;
      continue;
    }
    // Past the window admin-api is not keeping up (or not consuming): the
    // open batch keeps absorbing clicks instead of growing the list.
    if (in_flight >= options_.max_in_flight) break;
    p.encoded = EncodeBatch(options_.node_id, p.number, p.counts);
    p.counts = CodeCounts();
    p.bytes = kBatchOverhead + p.encoded.size();
    p.sealed = true;
    p.durable = false;
    p.last_sent = {};
    sealed_dirty_ = true;
    ++in_flight;
  }
}

bool ClickFlusher::EnsureRedis() {
  if (redis_) return true;
  if (options_.redis.empty()) return false;
  auto now = Clock::now();
  if (now < next_connect_) return false;
  timeval timeout = ToTimeval(options_.redis_timeout);
  redisContext* c = redisConnectWithTimeout(redis_host_.c_str(), redis_port_, timeout);
  if (c == nullptr || c->err) {
    if (connect_backoff_ == 0ms) {
      LogWarn("cannot connect to Redis for clicks",
              {{"redis", options_.redis}, {"error", c ? c->errstr : "out of memory"}});
    }
    if (c) redisFree(c);
    // Capped low: while Redis is away clicks wait, and a restarted Redis
    // should see them again within a couple of seconds.
    connect_backoff_ = std::clamp(connect_backoff_ * 2, std::chrono::milliseconds(250),
                                  std::chrono::milliseconds(2000));
    next_connect_ = now + connect_backoff_;
    return false;
  }
  redisSetTimeout(c, timeout);
  redis_ = c;
  connect_backoff_ = 0ms;
  redis_connected_->Set(1);
  // A new connection may be to a new Redis whose stream lost what was sent:
  // send every pending batch again, now rather than after resend_after.
  for (Pending& p : pending_) p.last_sent = {};
  resend_interval_ = options_.resend_after;
  LogInfo("connected to Redis for clicks", {{"redis", options_.redis}});
  return true;
}

void ClickFlusher::DropRedis(const char* why) {
  if (!redis_) return;
  LogWarn("lost the Redis connection for clicks",
          {{"why", why}, {"error", redis_->err ? redis_->errstr : ""}});
  redisFree(redis_);
  redis_ = nullptr;
  redis_connected_->Set(0);
  next_connect_ = Clock::now();  // try again at the next flush, then back off
}

bool ClickFlusher::Ping() {
  if (!redis_) return false;
  auto* reply = static_cast<redisReply*>(redisCommand(redis_, "PING"));
  if (reply == nullptr) {
    DropRedis("PING failed");
    return false;
  }
  freeReplyObject(reply);
  return true;
}

void ClickFlusher::Send(bool stopping) {
  if (!EnsureRedis()) return;
  if (!confirmed_) {
    Ping();  // keeps the connected gauge true while numbering waits for admin-api
    return;
  }
  Seal();
  if (sealed_dirty_) Persist(true);  // a batch goes out only once the file knows it is sealed

  size_t sendable = 0;
  while (sendable < pending_.size() && pending_[sendable].sealed && pending_[sendable].durable)
    ++sendable;
  if (sendable == 0) {
    Ping();
    return;
  }

  auto now = Clock::now();
  const Pending& oldest = pending_.front();
  auto wait = stopping ? std::min<Clock::duration>(resend_interval_, kStopResend)
                       : Clock::duration(resend_interval_);
  // Resend when the oldest went out long ago and admin-api, reachable, has
  // applied nothing since: the stream lost it (or the batch after a gap).
  bool resend = oldest.last_sent != Clock::time_point{} && now - oldest.last_sent >= wait &&
                now - last_progress_ >= wait && admin_ok_;
  size_t first = 0;
  if (!resend) {
    while (first < sendable && pending_[first].last_sent != Clock::time_point{}) ++first;
    if (first == sendable) {
      Ping();
      return;
    }
  }

  // Numbers lost with dropped batches: empty batches let the watermark pass.
  // (If the real one is still in the stream, whichever comes first wins.)
  std::vector<std::string> fillers;
  if (first == 0) {
    for (uint64_t n = watermark_ + 1; n < pending_.front().number && fillers.size() < kMaxFillers;
         ++n) {
      fillers.push_back(EncodeBatch(options_.node_id, n, {}));
    }
    if (!fillers.empty()) {
      LogWarn(
          "sending empty click batches for numbers lost to overflow",
          {{"from", std::to_string(watermark_ + 1)}, {"count", std::to_string(fillers.size())}});
    }
  }

  // One pipeline: every XADD written, then every reply read.
  auto append = [this](const std::string& bytes) {
    redisAppendCommand(redis_, "XADD %s MAXLEN ~ 1000000 * batch %b", kClickStream, bytes.data(),
                       bytes.size());
  };
  for (const std::string& f : fillers) append(f);
  for (size_t i = first; i < sendable; ++i) append(pending_[i].encoded);
  size_t total = fillers.size() + (sendable - first);
  for (size_t i = 0; i < total; ++i) {
    void* raw = nullptr;
    if (redisGetReply(redis_, &raw) != REDIS_OK || raw == nullptr) {
      DropRedis("XADD failed");
      return;
    }
    auto* reply = static_cast<redisReply*>(raw);
    bool ok = reply->type != REDIS_REPLY_ERROR;
    if (!ok) {
      LogWarn("Redis refused a click batch", {{"error", std::string(reply->str, reply->len)}});
    }
    freeReplyObject(reply);
    if (i < fillers.size() || !ok) continue;
    Pending& p = pending_[first + (i - fillers.size())];
    p.last_sent = now;
    batches_sent_->Add();
    if (resend) batches_resent_->Add();
  }
  if (resend) {
    LogInfo("click batches sent again", {{"from", std::to_string(pending_.front().number)},
                                         {"batches", std::to_string(sendable)},
                                         {"watermark", std::to_string(watermark_)}});
    resend_interval_ = std::min(resend_interval_ * 2, options_.max_resend_after);
  }
}

void ClickFlusher::UpdateGauges() {
  uint64_t clicks = 0;
  for (const Pending& p : pending_) clicks += p.clicks;
  pending_batches_->Set(static_cast<int64_t>(pending_.size()));
  pending_clicks_->Set(static_cast<int64_t>(clicks));
  watermark_gauge_->Set(static_cast<int64_t>(watermark_));
}

// State file: magic | varint next number | varint batch count | per batch:
// sealed byte, varint length, EncodeClickBatch bytes | fixed64 FNV-1a of
// all before it.
std::string ClickFlusher::EncodeState() const {
  std::string out(kStateMagic);
  wire::PutVarint(next_number_, &out);
  wire::PutVarint(pending_.size(), &out);
  for (const Pending& p : pending_) {
    out.push_back(p.sealed ? 1 : 0);
    const std::string& bytes =
        p.sealed ? p.encoded : EncodeBatch(options_.node_id, p.number, p.counts);
    wire::PutVarint(bytes.size(), &out);
    out.append(bytes);
  }
  wire::PutFixed64BE(Fnv1a64(out), &out);
  return out;
}

void ClickFlusher::Persist(bool force) {
  if (!sealed_dirty_ && !state_dirty_) return;
  if (state_path_.empty()) {
    for (Pending& p : pending_) p.durable = p.sealed;
    sealed_dirty_ = state_dirty_ = false;
    return;
  }
  auto now = Clock::now();
  // Open batches change every second during an outage; rewriting a large
  // file each time would cost more than it saves, so at most 10% of the time.
  if (!force && !sealed_dirty_ &&
      now - last_persist_ < std::max<Clock::duration>(options_.interval, 10 * last_persist_cost_)) {
    return;
  }
  std::string bytes = EncodeState();
  Status s = WriteFileAtomically(state_path_, bytes);
  auto done = Clock::now();
  last_persist_ = done;
  last_persist_cost_ = done - now;
  if (!s.ok()) {
    state_errors_->Add();
    LogError("cannot write the click state file; sealed batches wait",
             {{"error", s.error().message}});
    return;
  }
  for (Pending& p : pending_) p.durable = p.sealed;
  sealed_dirty_ = state_dirty_ = false;
}

void ClickFlusher::LoadState() {
  if (state_path_.empty()) return;
  std::ifstream in(state_path_, std::ios::binary);
  if (!in) return;  // a new node
  std::stringstream contents;
  contents << in.rdbuf();
  std::string data = contents.str();

  auto corrupt = [&](const std::string& why) {
    state_errors_->Add();
    std::string aside = state_path_ + ".corrupt";
    std::error_code ec;
    std::filesystem::rename(state_path_, aside, ec);
    LogError(
        "click state file unreadable; kept aside, starting afresh (numbering follows "
        "admin-api's watermark)",
        {{"path", state_path_}, {"aside", aside}, {"why", why}});
    pending_.clear();
    next_number_ = 1;
  };
  if (data.size() < kStateMagic.size() + 8 || !std::string_view(data).starts_with(kStateMagic)) {
    return corrupt("bad header");
  }
  std::string_view body(data.data(), data.size() - 8);
  if (wire::GetFixed64BE(data.data() + body.size()) != Fnv1a64(body)) {
    return corrupt("bad checksum");
  }
  wire::Reader reader(body.substr(kStateMagic.size()));
  uint64_t next = 0, count = 0;
  if (!reader.ReadVarint(&next) || !reader.ReadVarint(&count)) return corrupt("bad counts");
  uint64_t last = 0;
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view sealed, bytes;
    uint64_t length = 0;
    if (!reader.ReadBytes(1, &sealed) || !reader.ReadVarint(&length) ||
        !reader.ReadBytes(length, &bytes)) {
      return corrupt("truncated batch");
    }
    auto batch = DecodeClickBatch(bytes);
    if (!batch.ok()) return corrupt(batch.error().message);
    if (batch->node != options_.node_id || batch->number <= last) {
      return corrupt("batch of another node or out of order");
    }
    last = batch->number;
    Pending& p = pending_.emplace_back();
    p.number = batch->number;
    p.sealed = sealed[0] != 0;
    p.durable = p.sealed;
    for (const ClickEntry& entry : batch->clicks) p.clicks += entry.count;
    if (p.sealed) {
      p.encoded.assign(bytes);
      p.bytes = kBatchOverhead + p.encoded.size();
    } else {
      p.bytes = kBatchOverhead;
      for (ClickEntry& entry : batch->clicks) {
        p.bytes += entry.code.size() + kEntryOverhead;
        p.counts[std::move(entry.code)] += entry.count;
      }
    }
  }
  if (!reader.done()) return corrupt("trailing bytes");
  next_number_ = std::max(next, last + 1);
  LogInfo("click state loaded",
          {{"pending", std::to_string(pending_.size())}, {"next", std::to_string(next_number_)}});
}

}  // namespace shortlink::redirector
