#include "tls/ticket_keys.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

namespace shortlink::redirector {
namespace {

// The SSL_CTX ex-data slot holding a context's TicketKeys*.
int TicketKeysIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace

TicketKeys::TicketKeys(std::chrono::seconds rotate_every, size_t keep)
    : rotate_every_(rotate_every), keep_(keep < 1 ? 1 : keep) {
  std::lock_guard<std::mutex> lock(mu_);
  RotateIfDueLocked(std::chrono::steady_clock::now());
}

void TicketKeys::Install(SSL_CTX* ctx) {
  SSL_CTX_set_ex_data(ctx, TicketKeysIndex(), this);
  SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, &TicketKeys::Callback);
}

void TicketKeys::RotateIfDueLocked(std::chrono::steady_clock::time_point now) {
  if (!keys_.empty() && now - keys_.front().made < rotate_every_) return;
  Key key;
  if (RAND_bytes(key.name.data(), key.name.size()) != 1 ||
      RAND_bytes(key.aes.data(), key.aes.size()) != 1 ||
      RAND_bytes(key.hmac.data(), key.hmac.size()) != 1) {
    return;  // no randomness: keep sealing with the key we have (there is always one after the
             // first)
  }
  key.made = now;
  keys_.push_front(key);
  while (keys_.size() > keep_) keys_.pop_back();
  ++rotations_;
}

TicketKeys::Key TicketKeys::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  RotateIfDueLocked(std::chrono::steady_clock::now());
  return keys_.front();
}

bool TicketKeys::Find(const unsigned char* name, Key* key, bool* is_current) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (memcmp(keys_[i].name.data(), name, keys_[i].name.size()) != 0) continue;
    *key = keys_[i];
    *is_current = i == 0;
    return true;
  }
  return false;
}

size_t TicketKeys::rotations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rotations_;
}

// OpenSSL's ticket key callback (SSL_CTX_set_tlsext_ticket_key_evp_cb):
// when sealing, returns 1; when opening, 0 for an unknown key (a full
// handshake follows), 1 to go on with the ticket, 2 to also give the client
// a new one.
int TicketKeys::Callback(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                         EVP_MAC_CTX* mac, int encrypt) {
  auto* self =
      static_cast<TicketKeys*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), TicketKeysIndex()));
  if (self == nullptr) return -1;
  Key key;
  bool is_current = true;
  if (encrypt) {
    key = self->Current();
    if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) return -1;
    memcpy(name, key.name.data(), key.name.size());
  } else if (!self->Find(name, &key, &is_current)) {
    return 0;
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac.data(), key.hmac.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
  int ok = encrypt ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv)
                   : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv);
  if (ok != 1) return -1;
  // 2 asks OpenSSL for a new ticket. A TLS 1.3 client uses a ticket once
  // (RFC 8446 C.4), so a resumed connection that got none leaves its client
  // a full handshake next time; a TLS 1.2 ticket may be used again until
  // its key is old.
  return is_current && SSL_version(ssl) != TLS1_3_VERSION ? 1 : 2;
}

}  // namespace shortlink::redirector
