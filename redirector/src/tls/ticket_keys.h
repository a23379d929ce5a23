// TicketKeys: the keys that seal TLS session tickets, so a returning client
// resumes without a full handshake (one round trip and no signature). A new
// key seals tickets every `rotate_every`; the previous ones still open the
// tickets they sealed until they are `keep` rotations old. A ticket opened
// with an old key is renewed. Keys live in memory only: a restart, or
// another node behind the balancer, makes a client do a full handshake once.
//
// Thread safety: every method may be called from any thread. A mutex guards
// the keys; it is taken once per handshake that issues or opens a ticket,
// never per request.
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>

namespace shortlink::redirector {

class TicketKeys {
 public:
  struct Key {
    std::array<unsigned char, 16> name;
    std::array<unsigned char, 32> aes;   // AES-256-CBC, as RFC 5077 suggests
    std::array<unsigned char, 32> hmac;  // HMAC-SHA256
    std::chrono::steady_clock::time_point made;
  };

  explicit TicketKeys(std::chrono::seconds rotate_every = std::chrono::hours(1), size_t keep = 3);

  // Makes `ctx` seal and open its tickets with these keys. The keys must
  // outlive the context.
  void Install(SSL_CTX* ctx);

  // The key that seals new tickets (rotated first when due).
  Key Current();
  // The key named `name`, if it is still kept; `*is_current` tells whether
  // it is the sealing one.
  bool Find(const unsigned char* name, Key* key, bool* is_current);

  size_t rotations() const;

 private:
  static int Callback(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                      EVP_MAC_CTX* mac, int encrypt);
  void RotateIfDueLocked(std::chrono::steady_clock::time_point now);

  const std::chrono::seconds rotate_every_;
  const size_t keep_;
  mutable std::mutex mu_;
  std::deque<Key> keys_;  // GUARDED_BY(mu_); front is the sealing key
  size_t rotations_ = 0;  // GUARDED_BY(mu_)
};

}  // namespace shortlink::redirector
