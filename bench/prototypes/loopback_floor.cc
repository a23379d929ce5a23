// MEASURED PROTOTYPE, NOT BUILT (bench/CMakeLists.txt only globs bench/micro/*.cc).
//
// The floor of an HTTP redirect server on this machine's loopback: a server
// that does nothing per request but find "\r\n\r\n" and copy a fixed 302
// answer, on either
//   epoll: edge-triggered, one recv() until a short read, one send();
//   uring: io_uring (SINGLE_ISSUER | DEFER_TASKRUN), multishot accept, one
//          multishot recv per connection into a provided-buffer ring, sends
//          with IOSQE_CQE_SKIP_SUCCESS, one io_uring_enter per loop.
// Question it answers: would moving the edge worker to io_uring (issue 4's
// suggestion) cut the server's CPU per request? Answer measured on
// 2026-12-02 (2 vCPU VM, server on core 0, wrk -t1 -c64 on core 1, 8 s runs
// alternating): epoll 6.92 / 7.06 / 8.51 / 8.68 us/request, uring 6.89 /
// 7.16 / 8.05 / 8.32 us/request: no difference beyond the noise; a
// single-shot recv per request on io_uring was worse (7.35-8.99). The
// kernel's loopback TCP work is the cost, not the syscall count.
//
// Build and run:
//   g++ -O2 -std=c++20 -o /tmp/floor bench/prototypes/loopback_floor.cc -luring
//   taskset -c 0 /tmp/floor epoll 9101 &   (or: uring 9102)
//   taskset -c 1 wrk -t1 -c64 -d8s http://127.0.0.1:9101/abc
// and read the server's utime+stime from /proc/PID/stat before and after.
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

constexpr std::string_view kAnswer =
    "HTTP/1.1 302 Found\r\nServer: shortlink\r\nDate: Wed, 02 Dec 2026 15:00:00 GMT\r\n"
    "Content-Length: 0\r\nConnection: keep-alive\r\nCache-Control: private, max-age=90\r\n"
    "Location: https://www.example.com/some/rather/long/path/to/a/page/that/is/about/"
    "eighty/five/bytes/x\r\n\r\n";

struct Connection {
  int fd;
  size_t in_len = 0;
  char in[8192];
  char out[16384];
};

// Answers every complete request in `c->in`; returns the bytes to send.
size_t Answer(Connection* c) {
  size_t consumed = 0, out = 0;
  for (size_t i = 3; i < c->in_len; ++i) {
    if (c->in[i] == '\n' && c->in[i - 1] == '\r' && c->in[i - 2] == '\n' && c->in[i - 3] == '\r') {
      memcpy(c->out + out, kAnswer.data(), kAnswer.size());
      out += kAnswer.size();
      consumed = i + 1;
    }
  }
  memmove(c->in, c->in + consumed, c->in_len - consumed);
  c->in_len -= consumed;
  return out;
}

int Listen(int port, int flags) {
  int fd = socket(AF_INET, SOCK_STREAM | flags, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 4096) != 0) {
    perror("listen");
    exit(1);
  }
  return fd;
}

void NoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

[[noreturn]] void RunEpoll(int port) {
  int listener = Listen(port, SOCK_NONBLOCK);
  int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  epoll_event events[512];
  for (;;) {
    int n = epoll_wait(ep, events, 512, -1);
    for (int i = 0; i < n; ++i) {
      auto* c = static_cast<Connection*>(events[i].data.ptr);
      if (c == nullptr) {
        for (int fd; (fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
          NoDelay(fd);
          epoll_event e{};
          e.events = EPOLLIN | EPOLLET;
          e.data.ptr = new Connection{fd};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
        }
        continue;
      }
      for (;;) {
        size_t room = sizeof c->in - c->in_len;
        ssize_t r = recv(c->fd, c->in + c->in_len, room, 0);
        if (r <= 0) {
          if (r == 0 || errno != EAGAIN) {
            close(c->fd);
            delete c;
          }
          break;
        }
        c->in_len += static_cast<size_t>(r);
        if (size_t out = Answer(c)) send(c->fd, c->out, out, MSG_NOSIGNAL);
        if (static_cast<size_t>(r) < room) break;  // a short read: the socket is drained
      }
    }
  }
}

[[noreturn]] void RunUring(int port) {
  constexpr unsigned kBuffers = 4096, kBufferBytes = 2048;
  constexpr uintptr_t kAcceptTag = 1;
  int listener = Listen(port, 0);
  io_uring ring;
  io_uring_params params{};
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  if (int e = io_uring_queue_init_params(4096, &ring, &params); e != 0) {
    fprintf(stderr, "io_uring: %s\n", strerror(-e));
    exit(1);
  }
  auto* buffer_ring = static_cast<io_uring_buf_ring*>(mmap(nullptr, kBuffers * sizeof(io_uring_buf),
                                                           PROT_READ | PROT_WRITE,
                                                           MAP_ANONYMOUS | MAP_PRIVATE, -1, 0));
  auto* buffers = static_cast<char*>(malloc(size_t{kBuffers} * kBufferBytes));
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(buffer_ring);
  reg.ring_entries = kBuffers;
  reg.bgid = 0;
  if (int e = io_uring_register_buf_ring(&ring, &reg, 0); e != 0) {
    fprintf(stderr, "buffer ring: %s\n", strerror(-e));
    exit(1);
  }
  io_uring_buf_ring_init(buffer_ring);
  const int mask = io_uring_buf_ring_mask(kBuffers);
  for (unsigned i = 0; i < kBuffers; ++i)
    io_uring_buf_ring_add(buffer_ring, buffers + size_t{i} * kBufferBytes, kBufferBytes, i, mask,
                          i);
  io_uring_buf_ring_advance(buffer_ring, kBuffers);

  auto sqe = [&ring] {
    io_uring_sqe* s = io_uring_get_sqe(&ring);
    if (s == nullptr) {
      io_uring_submit(&ring);
      s = io_uring_get_sqe(&ring);
    }
    return s;
  };
  auto accept = [&] {
    io_uring_sqe* s = sqe();
    io_uring_prep_multishot_accept(s, listener, nullptr, nullptr, 0);
    io_uring_sqe_set_data(s, reinterpret_cast<void*>(kAcceptTag));
  };
  auto receive = [&](Connection* c) {
    io_uring_sqe* s = sqe();
    io_uring_prep_recv_multishot(s, c->fd, nullptr, 0, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = 0;
    io_uring_sqe_set_data(s, c);
  };
  accept();
  for (;;) {
    io_uring_submit_and_wait(&ring, 1);
    io_uring_cqe* cqe;
    unsigned head, seen = 0;
    int returned = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      ++seen;
      void* tag = io_uring_cqe_get_data(cqe);
      bool more = cqe->flags & IORING_CQE_F_MORE;
      if (reinterpret_cast<uintptr_t>(tag) == kAcceptTag) {
        if (cqe->res >= 0) {
          NoDelay(cqe->res);
          receive(new Connection{cqe->res});
        }
        if (!more) accept();
        continue;
      }
      if (tag == nullptr) continue;  // a failed send; its connection's recv fails too
      auto* c = static_cast<Connection*>(tag);
      if (cqe->res == -ENOBUFS) {
        receive(c);
        continue;
      }
      if (cqe->res <= 0) {
        close(c->fd);
        delete c;
        continue;
      }
      unsigned id = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
      char* buffer = buffers + size_t{id} * kBufferBytes;
      memcpy(c->in + c->in_len, buffer, static_cast<size_t>(cqe->res));
      c->in_len += static_cast<size_t>(cqe->res);
      io_uring_buf_ring_add(buffer_ring, buffer, kBufferBytes, static_cast<unsigned short>(id),
                            mask, returned++);
      if (size_t out = Answer(c)) {
        io_uring_sqe* s = sqe();
        io_uring_prep_send(s, c->fd, c->out, out, MSG_NOSIGNAL);
        s->flags |= IOSQE_CQE_SKIP_SUCCESS;  // a failed send shows up as a recv error next
        io_uring_sqe_set_data(s, nullptr);
      }
      if (!more) receive(c);
    }
    io_uring_buf_ring_advance(buffer_ring, returned);
    io_uring_cq_advance(&ring, seen);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s epoll|uring PORT\n", argv[0]);
    return 2;
  }
  std::string_view mode = argv[1];
  int port = atoi(argv[2]);
  if (mode == "epoll") RunEpoll(port);
  if (mode == "uring") RunUring(port);
  fprintf(stderr, "unknown mode '%s'\n", argv[1]);
  return 2;
}
