#include "tls/tls_frontend.h"

#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>
#include <vector>

#include "edge/connection.h"
#include "edge/tls_io.h"
#include "support/temp_dir.h"
#include "test_certs.h"

namespace shortlink::redirector {

using shortlink::testing::TempDir;
namespace {

// A whole handshake over a socket pair, the server side as an edge worker
// holds it (the store kept by the connection), the client asking for `host`.
bool Handshake(std::shared_ptr<const CertStore> store, const char* host) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) != 0) return false;
  auto c = std::make_unique<Connection>();
  c->fd = fds[0];
  c->tls_store = std::move(store);
  c->ssl = NewTlsSession(c->tls_store->default_context(), c.get());
  SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
  SSL* client = SSL_new(client_ctx);
  SSL_set_fd(client, fds[1]);
  SSL_set_tlsext_host_name(client, host);
  SSL_set_connect_state(client);
  bool want_write;
  for (int i = 0; i < 50 && !(SSL_is_init_finished(client) && SSL_is_init_finished(c->ssl)); ++i) {
    SSL_do_handshake(client);
    c->readable = true;
    TlsRead(c.get(), c->in, sizeof c->in, &want_write);
  }
  bool done = SSL_is_init_finished(client) && SSL_is_init_finished(c->ssl);
  ERR_clear_error();
  SSL_free(client);
  SSL_CTX_free(client_ctx);
  SSL_free(c->ssl);
  close(fds[0]);
  close(fds[1]);
  return done;
}

}  // namespace

TEST_CASE("certificates reload while worker threads make handshakes", "[concurrent]") {
  TempDir dir;
  testing::WriteCert(dir.path(), "a", {"a.test"});
  testing::WriteCert(dir.path(), "b", {"b.test"}, testing::KeyKind::kRsa);
  TlsOptions options;
  options.cert_dir = dir.path();
  options.poll_every = std::chrono::milliseconds(0);  // reloads come from this test only
  auto frontend = TlsFrontend::Create(options);
  REQUIRE(frontend.ok());
  TlsFrontend* tls = frontend->get();

  std::atomic<bool> stop{false};
  std::atomic<int> handshakes{0}, failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 2; ++t) {
    workers.emplace_back([&, t] {
      uint64_t generation = 0;
      std::shared_ptr<const CertStore> store;
      while (!stop.load()) {
        if (tls->generation() != generation) store = tls->Current(&generation);
        if (Handshake(store, t == 0 ? "a.test" : "b.test"))
          handshakes.fetch_add(1);
        else
          failures.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 10; ++i) REQUIRE(tls->Reload().ok());
  while (handshakes.load() < 20) std::this_thread::yield();
  stop = true;
  for (auto& w : workers) w.join();
  CHECK(failures.load() == 0);
  CHECK(tls->reloads() == 11);
  CHECK(tls->generation() == 11);
}

TEST_CASE("a reload that fails keeps the certificates in use") {
  TempDir dir;
  testing::WriteCert(dir.path(), "a", {"a.test"});
  TlsOptions options;
  options.cert_dir = dir.path();
  options.poll_every = std::chrono::milliseconds(0);
  auto frontend = TlsFrontend::Create(options);
  REQUIRE(frontend.ok());
  uint64_t generation = 0;
  auto before = (*frontend)->Current(&generation);
  std::filesystem::remove(dir.path() + "/a.key");
  CHECK_FALSE((*frontend)->Reload().ok());
  uint64_t after_generation = 0;
  CHECK((*frontend)->Current(&after_generation) == before);
  CHECK(after_generation == generation);
  CHECK((*frontend)->reload_failures() == 1);
}

TEST_CASE("the watcher reloads when a file changes") {
  TempDir dir;
  testing::WriteCert(dir.path(), "a", {"a.test"});
  TlsOptions options;
  options.cert_dir = dir.path();
  options.poll_every = std::chrono::milliseconds(20);
  auto frontend = TlsFrontend::Create(options);
  REQUIRE(frontend.ok());
  (*frontend)->StartWatching();
  testing::WriteCert(dir.path(), "b", {"b.test"});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  uint64_t generation = 0;
  while ((*frontend)->Current(&generation)->ContextFor("b.test") == nullptr &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK((*frontend)->Current(&generation)->ContextFor("b.test") != nullptr);
  CHECK(generation >= 2);
}

}  // namespace shortlink::redirector
