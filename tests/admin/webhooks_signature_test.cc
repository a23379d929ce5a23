// Webhook signatures (webhooks/signature.h) and the retry schedule
// (webhooks/retry_schedule.h): the pure parts of delivery.
#include <catch2/catch.hpp>

#include "webhooks/retry_schedule.h"
#include "webhooks/signature.h"

namespace shortlink::admin::webhooks {

TEST_CASE("HMAC-SHA256 matches the RFC 4231 vector", "[webhooks]") {
  // RFC 4231, test case 2.
  CHECK(HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("a signature is v1= and the HMAC of timestamp.body", "[webhooks]") {
  // Python: hmac.new(b"whsec_test", b'1700000000.{"id":"evt_1"}', hashlib.sha256).hexdigest()
  CHECK(SignatureHeader("whsec_test", 1700000000, R"({"id":"evt_1"})") ==
        "v1=c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925");
  // Another timestamp, another signature: a replay with a fresh timestamp fails.
  CHECK(SignatureHeader("whsec_test", 1700000001, R"({"id":"evt_1"})") !=
        SignatureHeader("whsec_test", 1700000000, R"({"id":"evt_1"})"));
}

TEST_CASE("retries back off from 10 s to every 2 h and stop after 24 h", "[webhooks]") {
  RetrySchedule schedule;  // base 10 s
  int64_t elapsed = 0;
  std::vector<int64_t> delays;
  for (uint32_t attempt = 1;; ++attempt) {
    auto delay = schedule.NextDelayMs(attempt, elapsed);
    if (!delay) break;
    delays.push_back(*delay / 1000);
    elapsed += *delay;
  }
  REQUIRE(delays.size() > 7);
  CHECK(std::vector<int64_t>(delays.begin(), delays.begin() + 7) ==
        std::vector<int64_t>{10, 30, 60, 300, 1800, 3600, 7200});
  CHECK(delays.back() == 7200);
  CHECK(elapsed < 24 * 3600 * 1000);
  CHECK(elapsed + 7200 * 1000 >= 24 * 3600 * 1000);  // the next would pass the day
}

TEST_CASE("the retry schedule scales with its base", "[webhooks]") {
  RetrySchedule fast{5, 1000};  // ms: a test's schedule
  CHECK(fast.NextDelayMs(1, 0) == 5);
  CHECK(fast.NextDelayMs(2, 5) == 15);
  CHECK(fast.NextDelayMs(3, 20) == 30);
  CHECK_FALSE(fast.NextDelayMs(6, 900));  // the 6th step, 1,800 ms, would pass the window
}

}  // namespace shortlink::admin::webhooks
