// The webhook dispatcher (webhooks/dispatcher.h) over a real RocksDB and a
// real HTTP receiver on loopback: deliveries are stored before they are
// attempted and survive a restart; a webhook failing for the whole retry
// window is disabled with its reason; changes committed but not yet turned
// into deliveries when the process stopped are turned into them at start.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <memory>

#include "common/change.h"
#include "links/link_index.h"
#include "store/database.h"
#include "store/db_keys.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"
#include "webhooks/dispatcher.h"
#include "webhooks/signature.h"
#include "webhooks/subscriptions.h"
#include "webhooks_receiver.h"

namespace shortlink::admin::webhooks {
namespace {

using testing::WaitUntil;

constexpr uint64_t kTeam = 7;

// The webhook side of admin-api, opened on `dir` as serve.cc opens it.
struct Service {
  Service(const std::string& dir, DispatcherOptions options) {
    auto opened = Database::Open(dir);
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    auto loaded = Subscriptions::Load(db.get());
    REQUIRE(loaded.ok());
    subscriptions = std::move(loaded).value();
    options.limits.allow_private = true;
    auto started = Dispatcher::Start(db.get(), subscriptions.get(), &index, options);
    REQUIRE(started.ok());
    dispatcher = std::move(started).value();
  }
  std::vector<Delivery> Log(uint64_t webhook) {
    size_t total = 0;
    auto page = dispatcher->Log(webhook, 0, 100, &total);
    REQUIRE(page.ok());
    return *page;
  }

  std::unique_ptr<Database> db;
  std::unique_ptr<Subscriptions> subscriptions;
  LinkIndex index;
  std::unique_ptr<Dispatcher> dispatcher;  // last: stopped first
};

Change Created(uint64_t seq, const std::string& code) {
  Change c;
  c.seq = seq;
  c.op = ChangeOp::kUpsert;
  c.link.code = code;
  c.link.long_url = "https://example.com/" + code;
  c.link.owner = kTeam;
  c.link.created_at_ms = c.link.updated_at_ms = 1'700'000'000'000;
  return c;
}

// A port nothing listens on (as far as a test can tell): taken, then freed.
unsigned short FreePort() {
  testing::WebhookReceiver probe;
  return probe.port();
}

}  // namespace

TEST_CASE("a pending delivery survives a restart and is delivered after it", "[webhooks]") {
  testing::TempDir dir;
  const unsigned short port = FreePort();
  DispatcherOptions options;
  options.retry = {200, 60'000};  // ms
  uint64_t id = 0;
  std::string secret;
  {
    Service service(dir.path(), options);
    auto made = service.subscriptions->Create(
        kTeam, "http://127.0.0.1:" + std::to_string(port) + "/in", kLinkCreated, 1);
    REQUIRE(made.ok());
    id = made->id;
    secret = made->secret;
    service.dispatcher->OnCommitted(Created(1, "abc"), "");
    // Stored, tried once (refused: nothing listens) and waiting.
    REQUIRE(WaitUntil([&] {
      auto log = service.Log(id);
      return log.size() == 1 && log[0].attempts >= 1;
    }));
    auto log = service.Log(id);
    CHECK(log[0].state == Delivery::State::kPending);
    CHECK(log[0].event_id == "evt_chg_1");
    CHECK_FALSE(log[0].last_error.empty());
    CHECK(service.dispatcher->pending() == 1);
  }
  testing::WebhookReceiver receiver(port);
  Service service(dir.path(), options);
  CHECK(service.dispatcher->pending() == 1);  // loaded from RocksDB
  REQUIRE(WaitUntil([&] { return receiver.count() >= 1; }));
  auto req = receiver.requests()[0];
  CHECK(req.target() == "/in");
  CHECK(req["Shortlink-Webhook-Id"] == "evt_chg_1");
  int64_t timestamp = std::stoll(std::string(req["Shortlink-Webhook-Timestamp"]));
  CHECK(std::abs(timestamp - std::time(nullptr)) < 60);
  CHECK(req["Shortlink-Webhook-Signature"] == SignatureHeader(secret, timestamp, req.body()));
  auto body = boost::json::parse(req.body()).as_object();
  CHECK(body["id"] == "evt_chg_1");
  CHECK(body["event"] == "link.created");
  CHECK(body["data"].as_object()["shortUrl"] == "abc");
  REQUIRE(WaitUntil([&] {
    auto log = service.Log(id);
    return log.size() == 1 && log[0].state == Delivery::State::kDelivered;
  }));
  CHECK(service.Log(id)[0].last_status == 200);
  CHECK(service.dispatcher->pending() == 0);
}

TEST_CASE("a webhook failing for the whole retry window is disabled with the reason",
          "[webhooks]") {
  testing::TempDir dir;
  DispatcherOptions options;
  options.retry = {5, 300};  // ms
  Service service(dir.path(), options);
  testing::WebhookReceiver failing(0, [](size_t) { return 503; });
  auto made = service.subscriptions->Create(
      kTeam, "http://127.0.0.1:" + std::to_string(failing.port()) + "/", kLinkCreated, 1);
  REQUIRE(made.ok());
  service.dispatcher->OnCommitted(Created(1, "abc"), "");
  REQUIRE(WaitUntil([&] { return !service.subscriptions->Get(made->id)->enabled; }));
  std::optional<Webhook> disabled = service.subscriptions->Get(made->id);
  CHECK(disabled->disabled_reason.find("HTTP 503") != std::string::npos);
  REQUIRE(WaitUntil([&] { return service.dispatcher->pending() == 0; }));
  auto log = service.Log(made->id);
  REQUIRE(log.size() == 1);
  CHECK(log[0].state == Delivery::State::kFailed);
  CHECK(log[0].attempts >= 3);
  CHECK(failing.count() == log[0].attempts);
  // Disabled: later events are not queued for it.
  service.dispatcher->OnCommitted(Created(2, "def"), "");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(service.Log(made->id).size() == 1);
  // Re-enabled by PATCH: events flow again.
  WebhookPatch patch;
  patch.enabled = true;
  auto enabled = service.subscriptions->Update(kTeam, made->id, patch, 2);
  REQUIRE(enabled.ok());
  CHECK(enabled->disabled_reason.empty());
  service.dispatcher->OnCommitted(Created(3, "ghi"), "");
  CHECK(WaitUntil([&] { return service.Log(made->id).size() == 2; }));
}

TEST_CASE("changes committed after the last delivered one are turned into deliveries at start",
          "[webhooks]") {
  testing::TempDir dir;
  testing::WebhookReceiver receiver;
  DispatcherOptions options;
  uint64_t id = 0;
  {
    Service service(dir.path(), options);
    auto made = service.subscriptions->Create(
        kTeam, "http://127.0.0.1:" + std::to_string(receiver.port()) + "/", kLinkCreated, 1);
    REQUIRE(made.ok());
    id = made->id;
    service.dispatcher->OnCommitted(Created(1, "first"), "");
    // Delivered and recorded so: a stop between the two would send it again
    // at the next start (at least once; receivers dedupe by id).
    REQUIRE(WaitUntil([&] {
      auto log = service.Log(id);
      return receiver.count() == 1 && log.size() == 1 &&
             log[0].state == Delivery::State::kDelivered;
    }));
  }
  {
    // What a crash leaves: change 2 committed by the link writer, never
    // heard of by the dispatcher.
    auto db = Database::Open(dir.path());
    REQUIRE(db.ok());
    WriteBatch batch(**db);
    std::string entry;
    EncodeChange(Created(2, "second"), &entry);
    batch.Put(Table::kChanges, dbkey::Change(2), entry);
    REQUIRE((*db)->Write(&batch).ok());
  }
  Service service(dir.path(), options);
  REQUIRE(WaitUntil([&] { return receiver.count() == 2; }));
  CHECK(receiver.requests()[1]["Shortlink-Webhook-Id"] == "evt_chg_2");
  CHECK(WaitUntil([&] { return service.Log(id).size() == 2; }));
}

TEST_CASE("a ping is signed and logged", "[webhooks]") {
  testing::TempDir dir;
  testing::WebhookReceiver receiver;
  Service service(dir.path(), {});
  auto made = service.subscriptions->Create(
      kTeam, "http://127.0.0.1:" + std::to_string(receiver.port()) + "/", kLinkClicked, 1);
  REQUIRE(made.ok());
  auto event_id = service.dispatcher->Ping(*made);
  REQUIRE(event_id.ok());
  REQUIRE(WaitUntil([&] { return receiver.count() == 1; }));
  auto req = receiver.requests()[0];
  CHECK(req["Shortlink-Webhook-Id"] == *event_id);
  auto body = boost::json::parse(req.body()).as_object();
  CHECK(body["event"] == "ping");
  int64_t timestamp = std::stoll(std::string(req["Shortlink-Webhook-Timestamp"]));
  CHECK(req["Shortlink-Webhook-Signature"] == SignatureHeader(made->secret, timestamp, req.body()));
}

}  // namespace shortlink::admin::webhooks
