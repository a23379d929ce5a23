// Where webhooks may not go (webhooks/address_policy.h), and that the sender
// applies it to the addresses it connects to (webhooks/http_sender.h).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include "webhooks/address_policy.h"
#include "webhooks/http_sender.h"
#include "webhooks_receiver.h"

namespace shortlink::admin::webhooks {
namespace {

namespace asio = boost::asio;

bool Refused(const char* address) { return IsRefusedAddress(asio::ip::make_address(address)); }

SendOutcome Post(const std::string& url, bool allow_private) {
  asio::io_context ioc;
  asio::ssl::context tls = MakeWebhookTlsContext();
  SendLimits limits;
  limits.allow_private = allow_private;
  auto result =
      asio::co_spawn(ioc, PostWebhook(tls, url, {{"X-Test", "1"}}, "{}", limits), asio::use_future);
  ioc.run();
  return result.get();
}

}  // namespace

TEST_CASE("private, loopback, link-local and unspecified addresses are refused", "[webhooks]") {
  for (const char* address :
       {"127.0.0.1", "127.1.2.3", "10.0.0.1", "10.255.255.255", "192.168.1.10", "172.16.0.1",
        "172.31.255.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "255.255.255.255", "224.0.0.1",
        "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1"}) {
    INFO(address);
    CHECK(Refused(address));
  }
  for (const char* address : {"8.8.8.8", "93.184.216.34", "172.32.0.1", "192.169.0.1",
                              "2606:4700::1111", "::ffff:8.8.8.8"}) {
    INFO(address);
    CHECK_FALSE(Refused(address));
  }
}

TEST_CASE("the flag lets every address through", "[webhooks]") {
  std::vector<asio::ip::tcp::endpoint> resolved = {{asio::ip::make_address("127.0.0.1"), 80},
                                                   {asio::ip::make_address("8.8.8.8"), 80}};
  CHECK(AllowedEndpoints(resolved, false) ==
        std::vector<asio::ip::tcp::endpoint>{{asio::ip::make_address("8.8.8.8"), 80}});
  CHECK(AllowedEndpoints(resolved, true) == resolved);
}

TEST_CASE("the sender refuses loopback, and reaches it with the flag", "[webhooks]") {
  testing::WebhookReceiver receiver;
  const std::string url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook?x=1";
  SendOutcome refused = Post(url, false);
  CHECK_FALSE(refused.delivered());
  CHECK(refused.error.find("refused") != std::string::npos);
  CHECK(receiver.count() == 0);
  // "localhost" resolves to loopback only: refused as well.
  CHECK(Post("http://localhost:" + std::to_string(receiver.port()) + "/", false)
            .error.find("refused") != std::string::npos);

  SendOutcome sent = Post(url, true);
  CHECK(sent.delivered());
  CHECK(sent.status == 200);
  REQUIRE(receiver.count() == 1);
  auto req = receiver.requests()[0];
  CHECK(req.target() == "/hook?x=1");
  CHECK(req.body() == "{}");
  CHECK(req["X-Test"] == "1");
  CHECK(req[boost::beast::http::field::content_type] == "application/json");
}

TEST_CASE("a refused connection and a 500 are failed attempts", "[webhooks]") {
  testing::WebhookReceiver failing(0, [](size_t) { return 500; });
  SendOutcome answered = Post("http://127.0.0.1:" + std::to_string(failing.port()) + "/", true);
  CHECK_FALSE(answered.delivered());
  CHECK(answered.status == 500);
  CHECK(answered.error == "HTTP 500");
  SendOutcome dead = Post("http://127.0.0.1:1/", true);  // nothing listens on port 1
  CHECK_FALSE(dead.delivered());
  CHECK(dead.status == 0);
  CHECK_FALSE(dead.error.empty());
}

}  // namespace shortlink::admin::webhooks
