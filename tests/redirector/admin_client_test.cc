#include "upstream/admin_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <fstream>

#include "sync_test_support.h"

namespace shortlink::redirector {
namespace {

using testing::FakeAdmin;
using testing::MakeLink;
using testing::TempDir;

constexpr const char* kToken = "node-secret";

std::unique_ptr<AdminClient> Client(
    const std::string& url, const std::string& token = kToken,
    std::chrono::milliseconds io_timeout = std::chrono::seconds(5)) {
  AdminClientOptions options;
  options.url = url;
  options.node_token = token;
  options.node_id = "test-node";
  options.connect_timeout = std::chrono::milliseconds(500);
  options.io_timeout = io_timeout;
  auto client = AdminClient::Create(options);
  REQUIRE(client.ok());
  return std::move(client).value();
}

}  // namespace

TEST_CASE("admin URLs are checked", "[admin_client]") {
  for (const char* bad : {"", "ftp://x", "http://", "http://host:0", "http://host:99999",
                          "http://u@host", "http://[::1", "http://host/a?b"}) {
    AdminClientOptions options;
    options.url = bad;
    CHECK_FALSE(AdminClient::Create(options).ok());
  }
  for (const char* good : {"http://127.0.0.1:8080", "http://admin", "https://[::1]:8443/base/",
                           "https://admin.example"}) {
    AdminClientOptions options;
    options.url = good;
    CHECK(AdminClient::Create(options).ok());
  }
  AdminClientOptions options;
  options.url = "https://admin.example";
  options.ca_file = "/nonexistent/ca.pem";
  CHECK(AdminClient::Create(options).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("the node token is read from its file, trimmed", "[admin_client]") {
  TempDir dir;
  std::string path = dir.sub("token");
  std::ofstream(path) << "  secret-token \n";
  CHECK(*ReadNodeTokenFile(path) == "secret-token");
  std::ofstream(path) << " \n";
  CHECK_FALSE(ReadNodeTokenFile(path).ok());
  CHECK_FALSE(ReadNodeTokenFile(dir.sub("missing")).ok());
}

TEST_CASE("pages of changes, over one keep-alive connection", "[admin_client]") {
  FakeAdmin admin(kToken);
  for (int i = 0; i < 25; ++i)
    admin.Upsert(MakeLink("c" + std::to_string(i), "https://x.example/"));
  admin.Delete("c3");
  auto client = Client(admin.url());

  auto page = client->GetChanges(0, 10);
  REQUIRE(page.ok());
  CHECK(page->head_seq == 26);
  REQUIRE(page->changes.size() == 10);
  CHECK(page->changes[0].seq == 1);
  CHECK(page->changes[0].link.code == "c0");
  CHECK(page->changes[9].seq == 10);

  page = client->GetChanges(20, 1000);
  REQUIRE(page.ok());
  REQUIRE(page->changes.size() == 6);
  CHECK(page->changes.back().op == ChangeOp::kDelete);
  CHECK(page->changes.back().link.code == "c3");

  page = client->GetChanges(26, 1000);
  REQUIRE(page.ok());
  CHECK(page->changes.empty());
  CHECK(admin.connections() == 1);
}

TEST_CASE("410, 401 and 503 become kGone, kUnauthorized and kUnavailable", "[admin_client]") {
  FakeAdmin admin(kToken);
  for (int i = 0; i < 5; ++i) admin.Upsert(MakeLink("c" + std::to_string(i), "https://x.example/"));
  admin.Compact(4);
  auto client = Client(admin.url());
  CHECK(client->GetChanges(2, 10).error().code == ErrorCode::kGone);
  CHECK(client->GetChanges(3, 10)->changes.size() == 2);  // seq 4 is still there

  CHECK(Client(admin.url(), "wrong")->GetChanges(3, 10).error().code == ErrorCode::kUnauthorized);

  admin.SetFailing(true);
  CHECK(client->GetChanges(3, 10).error().code == ErrorCode::kUnavailable);
  admin.SetFailing(false);
  CHECK(client->GetChanges(3, 10).ok());  // and recovers on a new connection
}

TEST_CASE("the snapshot is streamed frame by frame", "[admin_client]") {
  FakeAdmin admin(kToken);
  for (int i = 0; i < 3000; ++i)
    admin.Upsert(
        MakeLink("code" + std::to_string(i), "https://example.com/" + std::string(100, 'x')));
  admin.Delete("code7");
  auto client = Client(admin.url());
  uint64_t seq = 0;
  size_t records = 0;
  Status s = client->GetSnapshot(
      [&](uint64_t snapshot_seq) {
        seq = snapshot_seq;
        return Status::Ok();
      },
      [&](std::string_view record) {
        CHECK(DecodeLink(record).ok());
        ++records;
        return Status::Ok();
      });
  REQUIRE(s.ok());
  CHECK(seq == 3001);
  CHECK(records == 2999);

  // A callback's error ends the transfer and comes back.
  s = client->GetSnapshot(
      [](uint64_t) { return Status::Ok(); },
      [](std::string_view) -> Status { return MakeError(ErrorCode::kInternal, "disk full"); });
  CHECK(s.error().message == "disk full");
  CHECK(client->GetChanges(0, 1).ok());

  // A transfer cut short is an error, never a short snapshot.
  admin.SetSnapshotCutAfter(100);
  records = 0;
  s = client->GetSnapshot([](uint64_t) { return Status::Ok(); },
                          [&](std::string_view) {
                            ++records;
                            return Status::Ok();
                          });
  CHECK_FALSE(s.ok());
  CHECK(records <= 100);
}

TEST_CASE("nothing listening, or a server that never answers, fails within the timeouts",
          "[admin_client]") {
  auto refused = Client("http://127.0.0.1:" + std::to_string(testing::FreePort()));
  CHECK(refused->GetChanges(0, 10).error().code == ErrorCode::kUnavailable);

  // Accepts connections (the kernel does, from the backlog) but never answers.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor silent(
      ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  auto client = Client("http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()), kToken,
                       std::chrono::milliseconds(300));
  auto started = std::chrono::steady_clock::now();
  CHECK(client->GetChanges(0, 10).error().code == ErrorCode::kUnavailable);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
}

TEST_CASE("Cancel aborts a request in flight", "[admin_client][concurrent]") {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor silent(
      ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  auto client = Client("http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()), kToken,
                       std::chrono::seconds(30));
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    client->Cancel();
  });
  auto started = std::chrono::steady_clock::now();
  CHECK(client->GetChanges(0, 10).error().code == ErrorCode::kUnavailable);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  canceller.join();
  CHECK(client->GetChanges(0, 10).error().code == ErrorCode::kUnavailable);  // and stays cancelled
}

TEST_CASE("https: the certificate is verified against --admin-ca, names included",
          "[admin_client]") {
  TempDir dir;
  testing::MakeCertificate(dir.path(), "admin", "DNS:localhost,IP:127.0.0.1");
  testing::MakeCertificate(dir.path(), "stranger", "DNS:localhost,IP:127.0.0.1");
  FakeAdmin admin(kToken, nullptr, dir.sub("admin.pem"), dir.sub("admin.key"));
  admin.Upsert(MakeLink("a", "https://a.example/"));

  auto client_for = [&](const std::string& url, const std::string& ca) {
    AdminClientOptions options;
    options.url = url;
    options.node_token = kToken;
    options.ca_file = ca;
    options.connect_timeout = std::chrono::seconds(2);
    auto client = AdminClient::Create(options);
    REQUIRE(client.ok());
    return std::move(client).value();
  };
  auto trusted = client_for(admin.url(), dir.sub("admin.pem"));
  auto page = trusted->GetChanges(0, 10);
  REQUIRE(page.ok());
  CHECK(page->changes.size() == 1);
  uint64_t seq = 0;
  CHECK(trusted
            ->GetSnapshot(
                [&](uint64_t s) {
                  seq = s;
                  return Status::Ok();
                },
                [](std::string_view) { return Status::Ok(); })
            .ok());
  CHECK(seq == 1);
  CHECK(client_for(admin.url("localhost"), dir.sub("admin.pem"))->GetChanges(0, 10).ok());

  // Not trusted: the system store, or another self-signed certificate.
  CHECK(client_for(admin.url(), "")->GetChanges(0, 10).error().code == ErrorCode::kUnavailable);
  CHECK(client_for(admin.url(), dir.sub("stranger.pem"))->GetChanges(0, 10).error().code ==
        ErrorCode::kUnavailable);
}

TEST_CASE("https: a trusted certificate for another name is refused", "[admin_client]") {
  TempDir dir;
  testing::MakeCertificate(dir.path(), "elsewhere", "DNS:admin.elsewhere.example");
  FakeAdmin admin(kToken, nullptr, dir.sub("elsewhere.pem"), dir.sub("elsewhere.key"));
  AdminClientOptions options;
  options.url = admin.url();
  options.node_token = kToken;
  options.ca_file = dir.sub("elsewhere.pem");
  auto client = AdminClient::Create(options);
  REQUIRE(client.ok());
  auto page = (*client)->GetChanges(0, 10);
  REQUIRE_FALSE(page.ok());
  CHECK(page.error().code == ErrorCode::kUnavailable);
  CHECK(page.error().message.find("TLS") != std::string::npos);
}

}  // namespace shortlink::redirector
