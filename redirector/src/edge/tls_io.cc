#include "edge/tls_io.h"

#include <errno.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include "edge/connection.h"

namespace shortlink::redirector {
namespace {

int BioWrite(BIO* bio, const char* data, int len) {
  auto* c = static_cast<Connection*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  for (;;) {
    ssize_t n = send(c->fd, data, static_cast<size_t>(len), MSG_NOSIGNAL);
    if (n >= 0) return static_cast<int>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(bio);
    return -1;
  }
}

int BioRead(BIO* bio, char* data, int len) {
  auto* c = static_cast<Connection*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  for (;;) {
    ssize_t n = recv(c->fd, data, static_cast<size_t>(len), 0);
    if (n > 0) {
      if (n < len) c->readable = false;  // drained: the next edge tells
      return static_cast<int>(n);
    }
    if (n == 0) return 0;  // the peer closed
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      c->readable = false;
      BIO_set_retry_read(bio);
    }
    return -1;
  }
}

long BioCtrl(BIO*, int cmd, long, void*) {
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;  // writes go straight to send(): nothing to flush
}

BIO_METHOD* EdgeBioMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "edge socket");
    BIO_meth_set_write(m, BioWrite);
    BIO_meth_set_read(m, BioRead);
    BIO_meth_set_ctrl(m, BioCtrl);
    return m;
  }();
  return method;
}

// What an SSL call's failure means for the worker: would block (EAGAIN,
// `*want_write` the direction), or the connection is finished.
ssize_t Failed(Connection* c, int result, bool* want_write) {
  int error = SSL_get_error(c->ssl, result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    *want_write = error == SSL_ERROR_WANT_WRITE;
    errno = EAGAIN;
    return -1;
  }
  // A bad handshake, a reset, close_notify: the connection ends. Its
  // errors must not stay queued for the next connection of this thread.
  ERR_clear_error();
  errno = ECONNRESET;
  return error == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

}  // namespace

SSL* NewTlsSession(SSL_CTX* ctx, Connection* c) {
  SSL* ssl = SSL_new(ctx);
  BIO* bio = ssl ? BIO_new(EdgeBioMethod()) : nullptr;
  if (!bio) {
    SSL_free(ssl);
    ERR_clear_error();
    return nullptr;
  }
  BIO_set_data(bio, c);
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl, bio, bio);  // the SSL owns the BIO
  SSL_set_read_ahead(ssl, 1);
  SSL_set_accept_state(ssl);
  return ssl;
}

ssize_t TlsRead(Connection* c, char* buf, size_t len, bool* want_write) {
  *want_write = false;
  int n = SSL_read(c->ssl, buf, static_cast<int>(len));
  if (n > 0) return n;
  return Failed(c, n, want_write);
}

ssize_t TlsWrite(Connection* c, const char* buf, size_t len, bool* want_write) {
  *want_write = true;
  int n = SSL_write(c->ssl, buf, static_cast<int>(len));
  if (n > 0) return n;
  return Failed(c, n, want_write);
}

void TlsClose(Connection* c) {
  if (SSL_is_init_finished(c->ssl)) SSL_shutdown(c->ssl);  // one try: close_notify or nothing
  ERR_clear_error();
}

bool TlsResumed(const Connection* c) { return SSL_session_reused(c->ssl) == 1; }

}  // namespace shortlink::redirector
