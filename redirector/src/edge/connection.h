// A connection of the public port, as its worker holds it, and the framing
// of the requests in its input buffer. Everything a request needs lives in
// the connection, allocated once when it is accepted: the fixed input and
// output buffers, the lowercased code and the link's domain, the peer's address. Serving a
// request allocates nothing.
//
// Thread safety: a connection belongs to one worker thread from accept to
// close; the password verifier's pool only carries its pointer back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <openssl/ssl.h>

#include <memory>

#include "edge/request_code.h"
#include "edge/request_head.h"
#include "edge/responder.h"
#include "rules/password_verifier.h"
#include "tls/cert_store.h"

namespace shortlink::redirector {

inline constexpr size_t kInBufferBytes =
    kMaxHead + 4096;  // one maximal head plus pipelined followers
inline constexpr size_t kOutBufferBytes = 16 * kMaxResponseBytes;  // answers written in one go

struct Connection {
  int fd = -1;
  Connection* prev = nullptr;  // the worker's list, for the sweeper
  Connection* next = nullptr;
  size_t in_len = 0;
  size_t scanned = 0;  // bytes of `in` already searched for the end of a head
  size_t out_len = 0;
  size_t out_sent = 0;
  int64_t head_started_ms = 0;  // first byte of an unfinished head; 0 when none
  int64_t last_activity_ms = 0;
  int64_t write_started_ms = 0;
  bool readable = true;  // the socket may hold unread bytes (no short read since the last edge)
  bool writing = false;  // a send would block: waiting for EPOLLOUT
  bool closing = false;
  bool queued = false;                // in the worker's ready list: more to do after others' turn
  bool verifying = false;             // a POSTed password is being checked: the connection waits
  PasswordVerifier::Verdict verdict;  // the check's result, for the request it was for
  bool has_verdict = false;
  uint8_t peer_len = 0;
  char peer[16];       // the client's address bytes (4 or 16), for unique clicks and guess limits
  SSL* ssl = nullptr;  // set on the TLS listener's connections (edge/tls_io.h)
  bool handshaken = false;
  // The certificates the handshake chooses among (its SNI callback's), held
  // so a reload cannot free them under an open connection.
  std::shared_ptr<const CertStore> tls_store;
  LinkKeyBuffer key;  // the answered link's code and domain, for counting its click
  char in[kInBufferBytes];
  char out[kOutBufferBytes];
};

// Is it worth parsing from `start`: a whole head is there, or a byte
// sequence the parser will refuse at once (over a limit, a bare LF)?
// Only bytes not searched before are searched, so a client sending one
// byte at a time cannot make us rescan its buffer on every byte.
inline bool HeadReady(Connection* c, size_t start) {
  if (c->in_len - start > kMaxRequestLine) return true;
  size_t from = start > c->scanned ? start : c->scanned;
  for (size_t i = from; i < c->in_len; ++i) {
    if (c->in[i] != '\n') continue;
    if (i == start || c->in[i - 1] != '\r') return true;                              // bare LF
    if (i >= start + 3 && c->in[i - 2] == '\n' && c->in[i - 3] == '\r') return true;  // CRLFCRLF
  }
  c->scanned = c->in_len;
  return false;
}

// Drops the first `consumed` bytes of input (answered requests): what
// follows, a pipelined request's start, moves to the front.
inline void ConsumeInput(Connection* c, size_t consumed) {
  if (consumed == 0) return;
  memmove(c->in, c->in + consumed, c->in_len - consumed);
  c->in_len -= consumed;
  c->scanned = 0;
}

}  // namespace shortlink::redirector
