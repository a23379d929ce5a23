#include "cli.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "accounts/account_routes.h"
#include "accounts/accounts.h"
#include "auth/principal.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/options.h"
#include "common/redis_locator.h"
#include "links/importer.h"
#include "links/link_index.h"
#include "links/link_service.h"
#include "serve.h"
#include "store/database.h"

namespace shortlink::admin {
namespace {

constexpr const char* kUsage =
    "Usage: admin-api COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  serve      Run the admin API (HTTPS by default).\n"
    "  bootstrap  Create the first admin user and print an API key for it.\n"
    "  import     Bulk-load links from a CSV file (header shortUrl,longUrl).\n"
    "\n"
    "Run 'admin-api COMMAND --help' for the options of a command.\n"
    "Every option can also be set in a --config file (key = value) or in an\n"
    "environment variable ADMIN_API_<OPTION> (upper case, '-' as '_').\n";

int Usage(int code) {
  (code == 0 ? std::cout : std::cerr) << kUsage;
  return code;
}

bool ParseEnvironment(const std::string& text, Environment* env) {
  if (text == "production")
    *env = Environment::kProduction;
  else if (text == "staging")
    *env = Environment::kStaging;
  else
    return false;
  return true;
}

// Parses options for a command; prints help or the error. Returns nullopt
// when the caller should exit with *exit_code.
std::optional<po::variables_map> Parse(
    const std::vector<std::string>& args, const po::options_description& desc,
    const char* usage_line, int* exit_code,
    const po::positional_options_description* positional = nullptr) {
  auto parsed = ParseOptions(args, desc, "ADMIN_API", positional);
  if (!parsed.ok()) {
    std::cerr << "admin-api: " << parsed.error().message << "\nTry '" << usage_line
              << " --help'.\n";
    *exit_code = 2;
    return std::nullopt;
  }
  if (parsed->help) {
    po::options_description all = desc;
    all.add_options()("help,h", "Show this help and exit.")("config", po::value<std::string>(),
                                                            "Read options from this file.");
    std::cout << "Usage: " << usage_line << " [OPTIONS]\n\n" << all << "\n";
    *exit_code = 0;
    return std::nullopt;
  }
  return parsed->values;
}

// What bootstrap and import work on, offline: the database and its accounts.
// The accounts point into the database, so they are declared last to be
// destroyed first.
struct OfflineStore {
  std::unique_ptr<Database> db;
  std::unique_ptr<Accounts> accounts;
};

// Opens the database for `use` and loads its accounts; nullopt after printing
// why either failed.
std::optional<OfflineStore> OpenOffline(const std::string& data_dir, Database::Use use) {
  auto db = Database::Open(data_dir, use);
  if (!db.ok()) {
    std::cerr << "admin-api: " << db.error().message << "\n";
    return std::nullopt;
  }
  auto accounts = Accounts::Load(db->get());
  if (!accounts.ok()) {
    std::cerr << "admin-api: " << accounts.error().message << "\n";
    return std::nullopt;
  }
  return OfflineStore{std::move(*db), std::move(*accounts)};
}

int Serve(const std::vector<std::string>& args) {
  ServeOptions o;
  std::string environment = "production";
  po::options_description desc("serve options");
  desc.add_options()("data-dir", po::value(&o.data_dir)->required(),
                     "RocksDB directory (the source of truth).")(
      "listen", po::value(&o.listen)->default_value(o.listen), "HOST:PORT to serve the API on.")(
      "redis", po::value(&o.redis)->default_value(o.redis),
      "Redis HOST:PORT for change publishing; empty to disable.")(
      "redis-sentinel", po::value(&o.redis_sentinel),
      "Redis Sentinels HOST:PORT,HOST:PORT,...: find the Redis primary through them and follow "
      "its failovers (instead of --redis; needs --redis-master).")(
      "redis-master", po::value(&o.redis_master),
      "The master name the sentinels monitor (their 'sentinel monitor NAME ...').")(
      "tls-cert", po::value(&o.tls_cert), "PEM certificate chain for HTTPS.")(
      "tls-key", po::value(&o.tls_key), "PEM private key for HTTPS.")(
      "plain-http", po::bool_switch(&o.plain_http),
      "Serve plain HTTP (development only, or behind a TLS proxy).")(
      "environment", po::value(&environment)->default_value(environment),
      "production (keys live_v1_...) or staging (keys test_v1_...).")(
      "public-url", po::value(&o.public_url),
      "The short domain, e.g. https://go.example (links to it are refused).")(
      "node-token-file", po::value(&o.node_token_file),
      "File holding the secret redirect nodes present.")(
      "rate-limit", po::value(&o.rate_limit)->default_value(o.rate_limit),
      "Requests per second per user.")(
      "quota-included", po::value(&o.quota_included)->default_value(o.quota_included),
      "API requests per team and UTC month included before overage (or, under the block "
      "policy, before refusal).")(
      "blocklist-file", po::value(&o.blocklist_file),
      "Hosts of link shorteners to refuse as targets, one per line (default: a built-in list).")(
      "threads", po::value(&o.threads)->default_value(o.threads), "I/O threads.")(
      "analytics-retention-hours",
      po::value(&o.analytics_retention_hours)->default_value(o.analytics_retention_hours),
      "Hours click analytics are kept per hour; older hours are rolled into days.")(
      "openapi-file", po::value(&o.openapi_file),
      "Serve this OpenAPI document instead of the built-in one.")(
      "backup-dir", po::value(&o.backup_dir),
      "Where POST /api/v1/backups puts each backup (default: DATA_DIR-backups; on the data "
      "dir's filesystem a backup is hard links, elsewhere a copy).")(
      "webhooks-allow-private", po::bool_switch(&o.webhooks_allow_private),
      "Let webhooks reach private, loopback and link-local addresses, and http:// URLs "
      "(tests, internal receivers); refused by default.")(
      "title-fetch-allow-private", po::bool_switch(&o.title_fetch_allow_private),
      "Let POST /v1/link/create fetch page titles from private, loopback and link-local "
      "addresses (tests); refused by default.")(
      "title-fetch-ca", po::value(&o.title_fetch_ca),
      "PEM file of CA certificates trusted for page-title fetches instead of the system's "
      "(internal CAs, tests).")(
      "title-fetch-connect-to", po::value(&o.title_fetch_connect_to),
      "Testing: HOST:PORT every page-title fetch connects to, whatever its URL's host (the Host "
      "header, SNI and certificate check keep the URL's).")(
      "webhook-retry-base-ms",
      po::value(&o.webhook_retry_base_ms)->default_value(o.webhook_retry_base_ms),
      "Testing: the first webhook retry delay in ms; the schedule (10 s, 30 s, ... for 24 h) "
      "scales with it.")(
      "webhook-retry-window-ms",
      po::value(&o.webhook_retry_window_ms)->default_value(o.webhook_retry_window_ms),
      "Testing: how long a webhook delivery is retried before it fails and its webhook is "
      "disabled, in ms (default 24 h).")(
      "webhook-click-interval-ms",
      po::value(&o.webhook_click_interval_ms)->default_value(o.webhook_click_interval_ms),
      "Testing: at most one link.clicked event per subscription per this many ms.")(
      "log-level", po::value<std::string>()->default_value("info"), "debug, info, warn or error.");
  int code = 0;
  auto vm = Parse(args, desc, "admin-api serve", &code);
  if (!vm) return code;
  if (!ParseEnvironment(environment, &o.environment)) {
    std::cerr << "admin-api: --environment must be production or staging\n";
    return 2;
  }
  LogLevel level;
  if (!ParseLogLevel((*vm)["log-level"].as<std::string>(), &level)) {
    std::cerr << "admin-api: --log-level must be debug, info, warn or error\n";
    return 2;
  }
  SetLogLevel(level);
  if (auto redis = RedisLocator::FromFlags(o.redis, o.redis_sentinel, o.redis_master);
      !redis.ok()) {
    std::cerr << "admin-api: " << redis.error().message << "\n";
    return 2;
  }
  return admin::Serve(o);
}

int Bootstrap(const std::vector<std::string>& args) {
  std::string data_dir, email;
  po::options_description desc("bootstrap options");
  desc.add_options()("data-dir", po::value(&data_dir)->required(),
                     "RocksDB directory (no server may hold it).")(
      "email", po::value(&email)->required(), "Email of the admin user to create if missing.");
  int code = 0;
  if (!Parse(args, desc, "admin-api bootstrap", &code)) return code;
  auto store = OpenOffline(data_dir, Database::Use::kServing);
  if (!store) return 1;
  Accounts* accounts = store->accounts.get();
  auto user = accounts->FindUserByEmail(email);
  if (!user) {
    auto created = accounts->CreateUser(email, Role::kAdmin);
    if (!created.ok()) {
      std::cerr << "admin-api: " << created.error().message << "\n";
      return 1;
    }
    user = *created;
  } else if (user->role != Role::kAdmin) {
    std::cerr << "admin-api: " << user->email << " exists and is not an admin\n";
    return 1;
  }
  // Bootstrap prints a key of each environment's kind on request: production by default.
  auto key = accounts->CreateKey(user->id, Environment::kProduction);
  if (!key.ok()) {
    std::cerr << "admin-api: " << key.error().message << "\n";
    return 1;
  }
  std::cout << key->secret << "\n";
  return 0;
}

int Import(const std::vector<std::string>& args) {
  std::string data_dir, email, file, public_url, blocklist_file;
  po::options_description desc("import options");
  desc.add_options()("data-dir", po::value(&data_dir)->required(),
                     "RocksDB directory (no server may hold it).")(
      "email", po::value(&email)->required(), "Owner of the imported links (the user must exist).")(
      "file", po::value(&file)->required(),
      "CSV file with header shortUrl,longUrl ('-' for stdin).")(
      "public-url", po::value(&public_url), "The short domain: links to it are refused.");
  po::positional_options_description positional;
  positional.add("file", 1);
  int code = 0;
  if (!Parse(args, desc, "admin-api import", &code, &positional)) return code;

  std::ifstream in_file;
  std::istream* in = &std::cin;
  if (file != "-") {
    in_file.open(file);
    if (!in_file) {
      std::cerr << "admin-api: cannot read " << file << "\n";
      return 1;
    }
    in = &in_file;
  }
  auto store = OpenOffline(data_dir, Database::Use::kBulkLoad);
  if (!store) return 1;
  Database* db = store->db.get();
  auto owner = store->accounts->FindUserByEmail(email);
  if (!owner) {
    std::cerr << "admin-api: no user with email " << email << " (create it first)\n";
    return 1;
  }
  MetricsRegistry metrics;
  // The index is needed only while the import runs, and freeing its entries
  // one by one took 14 s at 10M links (1 s at 1M) after the import was done:
  // it is left for the process's exit to take back at once. Held by a
  // static, so leak checkers see it reachable.
  static LinkIndex* index = new LinkIndex;
  // Offline: no change listener; nodes read the change log later.
  auto links = LinkService::Start(db, index, &metrics);
  if (!links.ok()) {
    std::cerr << "admin-api: " << links.error().message << "\n";
    return 1;
  }
  UrlPolicy policy;
  policy.own_host = HostOf(public_url);
  policy.blocked_hosts = DefaultShortenerBlocklist();

  bool tty = isatty(STDERR_FILENO);
  auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  auth::Principal principal =
      auth::PersonalPrincipal(owner->id, auth::Role::kOwner, owner->role == Role::kAdmin);
  auto report = ImportCsv(*in, principal, policy, links->get(), NowMillis(), [&](uint64_t rows) {
    if (tty)
      fprintf(stderr, "\r%llu rows read, %.0f rows/s   ", (unsigned long long)rows,
              rows / elapsed());
  });
  if (tty) fprintf(stderr, "\n");
  if (!report.ok()) {
    std::cerr << "admin-api: import stopped: " << report.error().message << "\n";
    return 1;
  }
  if (tty) fprintf(stderr, "writing to disk...\n");
  if (Status s = db->FinishBulkLoad(); !s.ok()) {
    std::cerr << "admin-api: import stopped: " << s.error().message << "\n";
    return 1;
  }
  for (const std::string& line : report->rejected) std::cerr << line << "\n";
  if (report->rejected_total > report->rejected.size()) {
    std::cerr << "(" << report->rejected_total - report->rejected.size()
              << " more rejected rows not shown)\n";
  }
  double secs = elapsed();
  std::cout << "imported " << report->imported << " of " << report->rows << " rows in " << secs
            << " s (" << static_cast<uint64_t>(report->imported / std::max(secs, 1e-9))
            << " links/s); " << report->rejected_total << " rejected\n";
  return report->rejected_total == 0 ? 0 : 3;
}

}  // namespace

int RunCli(int argc, char** argv) {
  if (argc < 2) return Usage(2);
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "--help" || command == "-h" || command == "help") return Usage(0);
  if (command == "serve") return Serve(args);
  if (command == "bootstrap") return Bootstrap(args);
  if (command == "import") return Import(args);
  std::cerr << "admin-api: unknown command '" << command << "'\n";
  return Usage(2);
}

}  // namespace shortlink::admin
