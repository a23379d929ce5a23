#include "edge/request_code.h"

#include <catch2/catch.hpp>
#include <string>

namespace shortlink::redirector {

TEST_CASE("a code is 1-64 of [a-z0-9-] from the path, lowercased", "[request_code]") {
  char buffer[kCodeBufferBytes];
  CHECK(CodeOfPath("Ab-9z", buffer) == "ab-9z");
  CHECK(CodeOfPath(std::string(64, 'Q'), buffer) == std::string(64, 'q'));
  CHECK(CodeOfPath(std::string(65, 'q'), buffer).empty());
  for (const char* path : {"", "a/b", "a%20", "a.b", "a_b", "\xc3\xa9"}) {
    INFO(path);
    CHECK(CodeOfPath(path, buffer).empty());
  }
}

}  // namespace shortlink::redirector
