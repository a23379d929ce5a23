#include "tls/tls_frontend.h"

#include <filesystem>

#include "common/log.h"
#include "common/thread_name.h"

namespace shortlink::redirector {

namespace fs = std::filesystem;

TlsFrontend::TlsFrontend(TlsOptions options)
    : options_(std::move(options)), tickets_(options_.ticket_rotation) {}

Result<std::unique_ptr<TlsFrontend>> TlsFrontend::Create(TlsOptions options) {
  std::unique_ptr<TlsFrontend> frontend(new TlsFrontend(std::move(options)));
  if (Status s = frontend->Reload(); !s.ok()) return s.error();
  return frontend;
}

TlsFrontend::~TlsFrontend() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

std::string TlsFrontend::FilesSignature() const {
  std::string signature;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.cert_dir, ec)) {
    std::error_code size_ec, time_ec;
    auto size = entry.file_size(size_ec);
    auto time = entry.last_write_time(time_ec);
    signature += entry.path().filename().string() + ":" + std::to_string(size_ec ? 0 : size) + ":" +
                 std::to_string(time_ec ? 0 : time.time_since_epoch().count()) + "\n";
  }
  return signature;
}

Status TlsFrontend::Reload() {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  std::string signature = FilesSignature();
  auto store = CertStore::Load(options_.cert_dir, options_.default_cert, &tickets_);
  signature_ = signature;  // a failed load is not retried until the files change again
  if (!store.ok()) {
    reload_failures_.fetch_add(1, std::memory_order_relaxed);
    LogError("TLS certificates not loaded; the ones in use stay",
             {{"dir", options_.cert_dir}, {"error", store.error().message}});
    return store.error();
  }
  size_t certificates = (*store)->certificates(), hosts = (*store)->hosts().size();
  {
    std::lock_guard<std::mutex> lock(mu_);
    store_ = std::move(store).value();
    generation_.fetch_add(1, std::memory_order_release);
  }
  reloads_.fetch_add(1, std::memory_order_relaxed);
  LogInfo("TLS certificates loaded", {{"dir", options_.cert_dir},
                                      {"certificates", std::to_string(certificates)},
                                      {"hosts", std::to_string(hosts)}});
  return Status::Ok();
}

std::shared_ptr<const CertStore> TlsFrontend::Current(uint64_t* generation) const {
  std::lock_guard<std::mutex> lock(mu_);
  *generation = generation_.load(std::memory_order_relaxed);
  return store_;
}

void TlsFrontend::StartWatching() {
  if (options_.poll_every.count() <= 0 || watcher_.joinable()) return;
  watcher_ = std::thread([this] {
    NameThisThread("tls-watch");
    Watch();
  });
}

void TlsFrontend::Watch() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, options_.poll_every, [this] { return stopping_; })) {
    lock.unlock();
    bool changed;
    {
      std::lock_guard<std::mutex> reload_lock(reload_mu_);
      changed = FilesSignature() != signature_;
    }
    // A certificate and its key are rarely written in the same instant:
    // a load between the two fails, and the next look loads both.
    if (changed) (void)Reload();
    lock.lock();
  }
}

}  // namespace shortlink::redirector
