// Replaces the global operator new family with one that counts its calls,
// for tests that prove a path allocates nothing. Include it from exactly one
// file of a test binary: it defines the replaceable operators.
//
// The whole family, not only the plain forms: were one of them (say the
// nothrow new Catch2 uses) left to the runtime, its memory would reach our
// free(), and ASan rightly calls that a new/free mismatch.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace shortlink::testing {

inline std::atomic<uint64_t> g_operator_new_calls{0};

inline void* CountedNew(size_t size) noexcept {
  g_operator_new_calls.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size ? size : 1);
}

inline void* ThrowingCountedNew(size_t size) {
  if (void* p = CountedNew(size)) return p;
  throw std::bad_alloc();
}

}  // namespace shortlink::testing

void* operator new(size_t size) { return shortlink::testing::ThrowingCountedNew(size); }
void* operator new[](size_t size) { return shortlink::testing::ThrowingCountedNew(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  return shortlink::testing::CountedNew(size);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return shortlink::testing::CountedNew(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
