// TLS on an edge connection: OpenSSL reads and writes the socket through a
// BIO of our own (not OpenSSL's socket BIO) so the worker keeps its one
// rule for edge-triggered epoll: a read that comes back short means the
// socket is drained, and only then does the connection wait for the next
// edge. With read-ahead on, OpenSSL asks the BIO for as much as its buffer
// holds, so one recv() takes every record that has arrived; what it has
// read but not yet handed out is SSL_has_pending.
//
// The calls mirror recv() and send(): bytes, or -1 with errno EAGAIN
// (would block; `*want_write` tells which way), or 0 / -1 for a closed or
// failed connection. The handshake runs inside the first TlsRead.
//
// Thread safety: as the connection: its worker's thread only.
#pragma once

#include <openssl/ssl.h>
#include <sys/types.h>

#include <cstddef>

namespace shortlink::redirector {

struct Connection;

// A new server-side SSL on `ctx` for `c`, reading and writing c->fd; null
// when OpenSSL is out of memory.
SSL* NewTlsSession(SSL_CTX* ctx, Connection* c);
// Reads decrypted bytes. `*want_write`: the handshake waits to send.
ssize_t TlsRead(Connection* c, char* buf, size_t len, bool* want_write);
// Encrypts and sends. `*want_write` false on EAGAIN: it waits to read.
ssize_t TlsWrite(Connection* c, const char* buf, size_t len, bool* want_write);
// Sends close_notify if the socket takes it now; never waits.
void TlsClose(Connection* c);
// Was this connection's session resumed from a ticket (after the handshake)?
bool TlsResumed(const Connection* c);

}  // namespace shortlink::redirector
