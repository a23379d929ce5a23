#include "serve.h"

#include <malloc.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "accounts/account_routes.h"
#include "accounts/accounts.h"
#include "analytics/analytics_rollup.h"
#include "analytics/analytics_routes.h"
#include "auth/authenticator.h"
#include "campaigns/campaign_routes.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/options.h"
#include "common/redis_locator.h"
#include "common/thread_name.h"
#include "dashboard/dashboard_routes.h"
#include "domains/domain_routes.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "links/link_index.h"
#include "links/link_routes.h"
#include "links/link_service.h"
#include "links/password_hasher.h"
#include "nodes/change_publisher.h"
#include "nodes/click_consumer.h"
#include "nodes/node_routes.h"
#include "openapi_document.h"
#include "ops/ops_routes.h"
#include "qr/qr_routes.h"
#include "server/http_server.h"
#include "shortenworld/shortenworld_routes.h"
#include "store/database.h"
#include "store/team_weeks.h"
#include "teams/team_routes.h"
#include "tokens/token_routes.h"
#include "trackers/tracker_routes.h"
#include "usage/usage_routes.h"
#include "webhooks/webhook_routes.h"

namespace shortlink::admin {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kInvalidArgument, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

Result<std::vector<std::string>> LoadBlocklist(const std::string& path) {
  if (path.empty()) return DefaultShortenerBlocklist();
  auto text = ReadFile(path);
  if (!text.ok()) return text.error();
  std::vector<std::string> hosts;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    line = Trim(line.substr(0, line.find('#')));
    for (char& c : line) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!line.empty()) hosts.push_back(line);
  }
  return hosts;
}

// Click batches arrive as 1-2 MB Redis replies, decoded into as large
// vectors, every second from every node. glibc serves blocks that size with
// a fresh mmap and unmaps them on free, so each batch paid ~500 page faults
// and page clears in the kernel, a millisecond-long stretch that no yield
// can split (issue 23: it held an edge worker on a shared core). Keeping
// such blocks in the heap for reuse costs a few MB of resident memory.
void KeepLargeBlocksInHeap() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
}

int Fail(const std::string& message) {
  LogError(message);
  return 1;
}

}  // namespace

int Serve(const ServeOptions& options) {
  KeepLargeBlocksInHeap();
  std::string host;
  unsigned short port = 0;
  if (Status s = ParseHostPort(options.listen, &host, &port); !s.ok())
    return Fail("--listen: " + s.error().message);
  if (options.rate_limit <= 0) return Fail("--rate-limit must be above 0 requests per second");
  if (options.threads < 1) return Fail("--threads must be at least 1");
  if (options.webhook_retry_base_ms < 1 || options.webhook_retry_window_ms < 1 ||
      options.webhook_click_interval_ms < 1)
    return Fail(
        "--webhook-retry-base-ms, -window-ms and --webhook-click-interval-ms must be at least 1");

  std::shared_ptr<boost::asio::ssl::context> tls;
  if (!options.plain_http) {
    if (options.tls_cert.empty() || options.tls_key.empty()) {
      return Fail("HTTPS needs --tls-cert and --tls-key (or --plain-http, for development only)");
    }
    auto ctx = MakeServerTlsContext({options.tls_cert, options.tls_key});
    if (!ctx.ok()) return Fail(ctx.error().message);
    tls = *ctx;
  }

  // What each area's handlers reach (links/, accounts/, nodes/, ops/).
  LinkApi link_api;
  AccountApi account_api;
  NodeApi node_api;
  OpsApi ops_api;
  MetricsRegistry metrics;
  ops_api.metrics = &metrics;
  account_api.environment = options.environment;
  std::string public_url = options.public_url;
  while (!public_url.empty() && public_url.back() == '/') public_url.pop_back();
  link_api.url_policy.own_host = HostOf(public_url);
  auto blocklist = LoadBlocklist(options.blocklist_file);
  if (!blocklist.ok()) return Fail("--blocklist-file: " + blocklist.error().message);
  link_api.url_policy.blocked_hosts = *blocklist;
  std::string node_token;  // empty: node endpoints refuse everyone
  if (!options.node_token_file.empty()) {
    auto token = ReadFile(options.node_token_file);
    if (!token.ok()) return Fail("--node-token-file: " + token.error().message);
    node_token = Trim(*token);
    if (node_token.size() < 16)
      return Fail("--node-token-file: the token must be at least 16 characters");
  }
  if (options.openapi_file.empty()) {
    ops_api.openapi_yaml = std::string(kOpenApiDocument);
  } else {
    auto doc = ReadFile(options.openapi_file);
    if (!doc.ok()) return Fail("--openapi-file: " + doc.error().message);
    ops_api.openapi_yaml = *doc;
  }

  auto db = Database::Open(options.data_dir);
  if (!db.ok()) return Fail(db.error().message);
  node_api.db = db->get();
  ops_api.db = db->get();
  ops_api.backup_dir = options.backup_dir;
  if (ops_api.backup_dir.empty()) {
    std::string data_dir = options.data_dir;
    while (data_dir.size() > 1 && data_dir.back() == '/') data_dir.pop_back();
    ops_api.backup_dir = data_dir + "-backups";  // beside it: hard links, no copy
  }
  auto accounts = Accounts::Load(db->get());
  if (!accounts.ok()) return Fail(accounts.error().message);
  account_api.accounts = accounts->get();
  // After the accounts: each user without a personal team gets one here.
  auto teams = Teams::Load(db->get(), (*accounts)->ListUsers());
  if (!teams.ok()) return Fail(teams.error().message);
  TeamApi team_api;
  team_api.teams = teams->get();
  team_api.accounts = accounts->get();
  team_api.environment = options.environment;
  auto tokens = Tokens::Load(db->get(), NowMillis);
  if (!tokens.ok()) return Fail(tokens.error().message);
  LoginThrottle login_throttle(NowMillis);
  TokenApi token_api{tokens->get(), &login_throttle, &team_api};
  account_api.on_user_created = [t = teams->get()](const User& user) {
    if (auto made = t->EnsurePersonal(user); !made.ok())
      LogError("cannot make a personal team", {{"detail", made.error().message}});
  };
  auto redis = RedisLocator::FromFlags(options.redis, options.redis_sentinel, options.redis_master);
  if (!redis.ok()) return Fail(redis.error().message);
  // The change listeners, in the order they hear of each commit.
  ChangePublisher publisher(*redis, &metrics);
  LinkIndex index;
  link_api.index = &index;
  team_api.team_has_links = [&index](uint64_t team) { return index.HasLinksOf(team); };
  link_api.team_id = [t = teams->get()](uint64_t team) {
    auto found = t->Get(team);
    return found ? found->uuid : std::string();
  };
  auto started = std::chrono::steady_clock::now();
  // Webhooks hear of each commit after the nodes (webhooks/dispatcher.h).
  auto subscriptions = webhooks::Subscriptions::Load(db->get());
  if (!subscriptions.ok()) return Fail(subscriptions.error().message);
  webhooks::DispatcherOptions webhook_options;
  webhook_options.retry.base_ms = options.webhook_retry_base_ms;
  webhook_options.retry.window_ms = options.webhook_retry_window_ms;
  webhook_options.click_interval_ms = options.webhook_click_interval_ms;
  webhook_options.limits.allow_private = options.webhooks_allow_private;
  auto dispatcher =
      webhooks::Dispatcher::Start(db->get(), subscriptions->get(), &index, webhook_options);
  if (!dispatcher.ok()) return Fail(dispatcher.error().message);
  auto links = LinkService::Start(db->get(), &index, &metrics, {&publisher, dispatcher->get()});
  if (!links.ok()) return Fail(links.error().message);
  links->get()->SetClickListener(dispatcher->get());
  // Before the click consumer: every commit that counts clicks writes the weeks' rows.
  auto team_weeks_from = LoadTeamWeeksFrom(db->get(), uint32_t(NowMillis() / 86'400'000));
  if (!team_weeks_from.ok()) return Fail(team_weeks_from.error().message);
  links->get()->SetTeamWeeksFrom(*team_weeks_from);
  link_api.links = links->get();
  node_api.links = links->get();
  LogInfo("links loaded",
          {{"links", std::to_string(index.size())},
           {"ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - started)
                                     .count())}});
  ClickConsumer clicks(*redis, links->get(), &metrics);
  RateLimiter limiter(options.rate_limit);

  boost::asio::io_context ioc(options.threads);
  // Declared after ioc, so destroyed before it: a hash finishing during the
  // shutdown still posts its result to a live (stopped) io_context.
  PasswordHasher hasher(2);
  link_api.hasher = &hasher;
  auth::Authenticator authenticator(
      [&team_api, &token_api](std::string_view key, std::string_view account) {
        if (Tokens::LooksLikeAccessToken(key)) return PrincipalOfToken(token_api, key, account);
        return PrincipalOfKey(team_api, key, account);
      },
      [&node_token](std::string_view token) { return IsNodeToken(node_token, token); });
  auto usage_meter =
      usage::UsageMeter::Start(db->get(), {options.quota_included, nullptr, &metrics});
  if (!usage_meter.ok()) return Fail(usage_meter.error().message);
  UsageApi usage_api{usage_meter->get()};
  Router router(&metrics, &authenticator, &limiter);
  RegisterLinkRoutes(router, link_api);
  RegisterDomainRoutes(router, link_api);
  auto campaigns = Campaigns::Load(db->get());  // the link writer asks it from the first commit
  if (!campaigns.ok()) return Fail(campaigns.error().message);
  links->get()->SetCampaignDirectory(campaigns->get());
  CampaignApi campaign_api{campaigns->get(), &link_api};
  campaign_api.teams_of = [t = teams->get()](uint64_t user) {  // ?teamId= of the campaign list
    std::vector<CallerTeam> out;
    for (const Team& team : t->TeamsOf(user))
      out.push_back({team.number, team.uuid, team.Member(user)->role});
    return out;
  };
  RegisterCampaignRoutes(router, campaign_api);
  links->get()->SetAnalyticsRetentionHours(options.analytics_retention_hours);
  AnalyticsRollup analytics_rollup(db->get(), options.analytics_retention_hours);
  AnalyticsApi analytics_api{db->get(), &link_api, *team_weeks_from};
  RegisterAnalyticsRoutes(router, analytics_api);
  QrApi qr_api{&link_api, public_url};
  RegisterQrRoutes(router, qr_api);
  RegisterDashboardRoutes(router);  // the web dashboard at /dashboard (dashboard/)
  RegisterAccountRoutes(router, account_api);
  RegisterTeamRoutes(router, team_api);
  RegisterKeyRoutes(router, team_api);
  RegisterTokenRoutes(router, token_api);
  RegisterNodeRoutes(router, node_api);
  RegisterOpsRoutes(router, ops_api);
  RegisterUsageRoutes(router, usage_api);
  WebhookApi webhook_api{subscriptions->get(), dispatcher->get(), options.webhooks_allow_private};
  RegisterWebhookRoutes(router, webhook_api);
  auto trackers = StartTrackers(router, db->get(), teams->get(), link_api);  // trackers/
  if (!trackers.ok()) return Fail(trackers.error().message);
  if (Status s = RegisterShortenWorldRoutes(
          router, {public_url, options.title_fetch_allow_private, options.title_fetch_ca,
                   options.title_fetch_connect_to});
      !s.ok())
    return Fail(s.error().message);
  HttpServer server(
      ioc, tls,
      [&router](Request& req, std::string_view remote) {
        return HandleWithShortenWorldRefusals(router, req, remote);  // /v1's 404 and 405
      },
      [&router](const http::request_header<>& head, http::status status, std::string_view remote) {
        router.RecordRefused(head, status, remote);
      });
  auto bound = server.Listen(host, port);
  if (!bound.ok()) return Fail(bound.error().message);
  ops_api.ready = true;
  LogInfo(
      "admin-api listening",
      {{"address", host + ":" + std::to_string(*bound)},
       {"tls", tls ? "on" : "off"},
       {"environment", options.environment == Environment::kStaging ? "staging" : "production"}});

  // SIGTERM: stop accepting, give open requests a moment, then stop.
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  boost::asio::steady_timer drain(ioc);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    LogInfo("shutting down");
    ops_api.ready = false;
    server.Stop();
    drain.expires_after(std::chrono::seconds(2));
    drain.async_wait([&](const boost::system::error_code&) { ioc.stop(); });
  });
  std::vector<std::thread> threads;
  for (int i = 1; i < options.threads; ++i) {
    threads.emplace_back([&ioc] {
      NameThisThread("api-io");
      ioc.run();
    });
  }
  ioc.run();
  for (auto& t : threads) t.join();
  LogInfo("stopped");
  return 0;
}

}  // namespace shortlink::admin
