// CertStore: the certificates of the TLS listener, one OpenSSL context per
// set of host names, chosen per connection by the name the client asks for
// (SNI). It is loaded from a directory holding NAME.crt (the PEM chain,
// leaf first) beside NAME.key for each certificate; the host names come from
// each certificate's subjectAltName DNS entries (its CN when it has none),
// wildcards ("*.example.com", one label) included. A host may have an RSA
// and an ECDSA certificate side by side: its context holds both, and OpenSSL
// picks the one the client's signature algorithms allow (the ECDHE-ECDSA
// suites need the ECDSA one).
//
// A client that names no host, or one we have no certificate for, gets the
// default certificate: NAME.crt for --tls-default-cert NAME, else the first
// file by name.
//
// A store never changes once loaded; a reload makes a new one
// (tls/tls_frontend.h). Connections hold the contexts they use (OpenSSL
// counts references), so a reload never breaks an open connection.
//
// Thread safety: immutable after Load; use from any thread.
#pragma once

#include <openssl/ssl.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "tls/ticket_keys.h"

namespace shortlink::redirector {

class CertStore {
 public:
  // Loads every NAME.crt + NAME.key of `dir`. Fails, naming the file, on a
  // certificate without its key, a key that does not match, an unreadable
  // file, or a directory without certificates.
  static Result<std::shared_ptr<const CertStore>> Load(const std::string& dir,
                                                       const std::string& default_cert,
                                                       TicketKeys* tickets);
  ~CertStore();
  CertStore(const CertStore&) = delete;
  CertStore& operator=(const CertStore&) = delete;

  // The context a new connection starts with; the client's SNI may switch it.
  SSL_CTX* default_context() const { return default_; }
  // The context serving `host` (lower case): its own, a wildcard's, or null.
  SSL_CTX* ContextFor(std::string_view host) const;
  // Every host name with a certificate, as loaded (wildcards as "*.x").
  std::vector<std::string> hosts() const;
  size_t certificates() const { return certificates_; }

 private:
  CertStore() = default;
  static int OnServerName(SSL* ssl, int* alert, void* arg);

  std::map<std::string, SSL_CTX*, std::less<>> by_host_;
  std::vector<SSL_CTX*> contexts_;  // owned
  SSL_CTX* default_ = nullptr;
  size_t certificates_ = 0;
};

}  // namespace shortlink::redirector
