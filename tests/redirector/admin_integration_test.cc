// The sync half against the real admin-api binary (HTTPS, node token, Redis
// publishing), with links created through the public API. Hidden: it needs
// build/bin/admin-api next to this test binary (or SHORTLINK_BIN); the e2e
// tests (tests/e2e/test_sync.py) cover the same ground with real nodes.
//   redirector_test "[admin_integration]"
#include <unistd.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sync/change_follower.h"
#include "sync_test_support.h"

namespace shortlink::redirector {
namespace {

using namespace std::chrono_literals;
using testing::MapSink;
using testing::RedisServer;
using testing::TempDir;
using testing::WaitUntil;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string BinDir() {
  if (const char* env = std::getenv("SHORTLINK_BIN")) return env;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) return ".";
  exe[n] = '\0';
  return std::filesystem::path(exe).parent_path().string();
}

std::string Run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A one-shot HTTPS request to the admin API; returns the status.
int ApiRequest(unsigned short port, const std::string& ca, http::verb verb,
               const std::string& target, const std::string& body, const std::string& key) {
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(ca);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  boost::system::error_code ec;
  beast::get_lowest_layer(stream).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return -1;
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return -1;
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer " + key);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return -1;
  return res.result_int();
}

// admin-api serve over HTTPS with a node token and Redis, killed at the end.
class AdminProcess {
 public:
  AdminProcess(const TempDir& dir, const RedisServer& redis) : dir_(dir) {
    testing::MakeCertificate(dir.path(), "admin", "DNS:localhost,IP:127.0.0.1");
    std::ofstream(dir.sub("node-token")) << "node-token-0123456789\n";
    std::string bin = BinDir() + "/admin-api";
    key_ = Run(bin + " bootstrap --data-dir " + dir.sub("admin") +
               " --email admin@example.com 2>/dev/null");
    port_ = testing::FreePort();
    pid_ = testing::Spawn(
        {bin, "serve", "--data-dir", dir.sub("admin"), "--listen",
         "127.0.0.1:" + std::to_string(port_), "--redis", redis.address(), "--node-token-file",
         dir.sub("node-token"), "--tls-cert", dir.sub("admin.pem"), "--tls-key",
         dir.sub("admin.key"), "--rate-limit", "100000"},
        environ, /*quiet=*/true);
    ready_ = WaitUntil([&] { return Request(http::verb::get, "/healthz", "") == 200; }, 20s);
  }
  ~AdminProcess() {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
  int Request(http::verb verb, const std::string& target, const std::string& body) {
    return ApiRequest(port_, dir_.sub("admin.pem"), verb, target, body, key_);
  }
  bool ready() const { return ready_ && !key_.empty(); }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  const TempDir& dir_;
  std::string key_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
  bool ready_ = false;
};

}  // namespace

TEST_CASE("the follower against the real admin-api", "[.][admin_integration]") {
  if (!std::filesystem::exists(BinDir() + "/admin-api")) {
    WARN("no admin-api binary in " + BinDir());
    return;
  }
  TempDir dir;
  RedisServer redis(dir.sub("redis"));
  AdminProcess admin(dir, redis);
  REQUIRE(admin.ready());
  auto create = [&](const std::string& code, const std::string& url) {
    return admin.Request(http::verb::post, "/api/v1/urls",
                         R"({"longUrl":")" + url + R"(","shortUrl":")" + code + R"("})");
  };
  REQUIRE(create("before-a", "https://example.com/a") == 200);
  REQUIRE(create("before-b", "https://example.com/b") == 200);

  auto store = ReplicaStore::Open(dir.sub("node"));
  REQUIRE(store.ok());
  MapSink table;
  AdminClientOptions admin_options;
  admin_options.url = admin.url();
  admin_options.node_token = *ReadNodeTokenFile(dir.sub("node-token"));
  admin_options.ca_file = dir.sub("admin.pem");
  auto client = AdminClient::Create(admin_options);
  REQUIRE(client.ok());
  ChangeFollowerOptions options;
  options.redis = redis.address();
  ChangeFollower follower(store->get(), &table, std::move(client).value(), options);
  REQUIRE(follower.Start().ok());
  REQUIRE(WaitUntil([&] { return follower.ready(); }));
  CHECK(table.Get("before-a") == "https://example.com/a");
  REQUIRE(
      WaitUntil([&] { return follower.status().redis_connected && follower.status().in_sync; }));

  REQUIRE(create("live", "https://example.com/live") == 200);
  CHECK(WaitUntil([&] { return table.Get("live") == "https://example.com/live"; }));
  REQUIRE(admin.Request(http::verb::patch, "/api/v1/urls/live",
                        R"({"longUrl":"https://example.com/v2"})") == 200);
  CHECK(WaitUntil([&] { return table.Get("live") == "https://example.com/v2"; }));
  REQUIRE(admin.Request(http::verb::patch, "/api/v1/urls/live", R"({"state":"INACTIVE"})") == 200);
  CHECK(WaitUntil([&] { return table.Get("live") == "inactive:https://example.com/v2"; }));
  REQUIRE(admin.Request(http::verb::delete_, "/api/v1/urls/live", "") == 200);
  CHECK(WaitUntil([&] { return table.Get("live").empty(); }));

  // Propagation: from the API's answer to the link being in the table.
  std::vector<double> ms;
  for (int i = 0; i < 200; ++i) {
    std::string code = "lat-" + std::to_string(i),
                url = "https://example.com/lat/" + std::to_string(i);
    REQUIRE(create(code, url) == 200);
    auto acked = std::chrono::steady_clock::now();
    while (table.Get(code) != url) {  // polled finely: WaitUntil's 5 ms steps would hide the figure
      REQUIRE(std::chrono::steady_clock::now() - acked < 5s);
      std::this_thread::sleep_for(20us);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - acked)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf(
      "propagation admin-api answer -> node table, %zu creates: p50 %.3f ms, p99 %.3f ms, max %.3f "
      "ms\n",
      ms.size(), ms[ms.size() / 2], ms[ms.size() * 99 / 100 - 1], ms.back());
  auto status = follower.status();
  CHECK(status.applied_seq == status.head_seq);
  CHECK(status.last_error.empty());
}

}  // namespace shortlink::redirector
