// TlsFrontend: the redirector's certificates as they are now, reloaded on
// SIGHUP (Reload) and when the directory's files change (a watcher thread
// looks every `poll_every`). A reload that fails (a bad file, a key that
// does not match) keeps the certificates in use and is logged and counted.
//
// Edge workers read the current store at each TLS accept: they compare
// generation() with the one they hold (one atomic load) and take the mutex
// only when it moved, i.e. once per reload.
//
// Thread safety: every method from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/result.h"
#include "tls/cert_store.h"
#include "tls/ticket_keys.h"

namespace shortlink::redirector {

struct TlsOptions {
  std::string cert_dir;
  std::string default_cert;  // file name without .crt; empty: the first by name
  std::chrono::seconds ticket_rotation{3600};
  std::chrono::milliseconds poll_every{2000};  // 0: no watcher (SIGHUP only)
};

class TlsFrontend {
 public:
  // Loads the certificates once; fails as CertStore::Load does.
  static Result<std::unique_ptr<TlsFrontend>> Create(TlsOptions options);
  ~TlsFrontend();  // stops the watcher

  // Loads the directory again and publishes it; on failure keeps the old.
  Status Reload();
  // Starts the thread that reloads when the files change.
  void StartWatching();

  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // The current store and its generation.
  std::shared_ptr<const CertStore> Current(uint64_t* generation) const;

  uint64_t reloads() const { return reloads_.load(std::memory_order_relaxed); }
  uint64_t reload_failures() const { return reload_failures_.load(std::memory_order_relaxed); }
  const TicketKeys& tickets() const { return tickets_; }

 private:
  explicit TlsFrontend(TlsOptions options);
  std::string FilesSignature() const;  // names, sizes and mtimes of the directory's files
  void Watch();

  const TlsOptions options_;
  TicketKeys tickets_;
  mutable std::mutex mu_;
  std::shared_ptr<const CertStore> store_;  // GUARDED_BY(mu_)
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> reloads_{0}, reload_failures_{0};
  std::mutex reload_mu_;   // one reload at a time (SIGHUP and the watcher)
  std::string signature_;  // GUARDED_BY(reload_mu_): the files the store was loaded from

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // GUARDED_BY(stop_mu_)
  std::thread watcher_;
};

}  // namespace shortlink::redirector
