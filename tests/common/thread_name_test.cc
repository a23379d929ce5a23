#include "common/thread_name.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <thread>

#include <sys/syscall.h>
#include <unistd.h>

namespace shortlink {
namespace {

std::string CommOfThisThread() {
  std::ifstream comm("/proc/self/task/" + std::to_string(syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

}  // namespace

TEST_CASE("a thread's name is what ps and top show, cut to 15 bytes") {
  std::string short_name, long_name;
  std::thread([&] {
    NameThisThread("edge-worker");
    short_name = CommOfThisThread();
    NameThisThread("a-name-longer-than-fifteen-bytes");
    long_name = CommOfThisThread();
  }).join();
  CHECK(short_name == "edge-worker");
  CHECK(long_name == "a-name-longer-t");
}

}  // namespace shortlink
