#include "common/thread_name.h"

#include <pthread.h>

#include <cstring>

namespace shortlink {

void NameThisThread(const char* name) {
  char truncated[16];
  strncpy(truncated, name, sizeof truncated - 1);
  truncated[sizeof truncated - 1] = '\0';
  pthread_setname_np(pthread_self(), truncated);  // only fails on a longer name
}

}  // namespace shortlink
