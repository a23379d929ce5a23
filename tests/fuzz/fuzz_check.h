// FUZZ_CHECK: an invariant of a harness. A broken one aborts, which libFuzzer
// reports as a crash and saves the input that broke it. Unlike assert, it
// stays on in every build.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                 \
    }                                                                          \
  } while (0)
