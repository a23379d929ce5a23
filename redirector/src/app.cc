#include "app.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>

#include "clicks/click_flusher.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/options.h"
#include "common/redis_locator.h"
#include "common/validation.h"
#include "edge/edge_server.h"
#include "ops_server.h"
#include "sync/node_sync.h"
#include "table/link_table.h"
#include "table/table_digest.h"
#include "tls/tls_frontend.h"

namespace shortlink::redirector {
namespace {

// Each worker's visit ring (clicks/visit_ring.h): the collector reads it
// every 10 ms, which at 100,000 visits/s is ~200 KB of records.
constexpr size_t kVisitRingBytes = size_t{1} << 20;

struct Flags {
  std::string data_dir, listen = "0.0.0.0:8080", redis = "127.0.0.1:6379", admin_url,
                        node_token_file;
  std::string redis_sentinel, redis_master;
  RedisLocator redis_locator;  // from the three above, checked before Run
  std::string node_id, admin_ca, ops_listen = "127.0.0.1:9090", home_url, not_found_page, gone_page,
                                 password_page, log_level = "info";
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int redirect_status = 302;
  std::string client_ip_header = "none";
  std::string unknown_host = "404";
  std::string public_host;
  int idle_timeout = 60;
  size_t max_connections = 100000;
  std::string analytics = "off";
  std::string geoip_db;
  std::string user_agent_regexes = classify::UserAgentClassifier::kDefaultRegexes;
  std::string tls_listen, tls_cert_dir, tls_default_cert;
  std::string https_redirect, hsts;
  uint32_t hsts_max_age = 31536000;  // a year, as browsers' preload lists ask
};

// Reads the operator's page for `flag` from `path` (when given) into
// `pages` through `set`, which checks it: a bad page stops the start, named.
bool LoadPage(const std::string& flag, const std::string& path, EdgePages* pages,
              Status (EdgePages::*set)(std::string_view)) {
  if (path.empty()) return true;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "redirector: cannot read --" << flag << " " << path << "\n";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (Status s = (pages->*set)(ss.str()); !s.ok()) {
    std::cerr << "redirector: --" << flag << " " << path << ": " << s.error().message << "\n";
    return false;
  }
  return true;
}

std::string Hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf[0] ? buf : "node";
}

// Prometheus text for the per-worker counters, summed at render time so the
// hot path only ever bumps its own thread's counters.
std::string WorkerMetrics(const EdgeServer& edge) {
  uint64_t pages = 0, ok = 0, nf = 0, bad = 0, err = 0, hits = 0, misses = 0, unsafe = 0,
           timeouts = 0, refused = 0, handshakes = 0, resumed = 0, handshake_failures = 0;
  for (const auto& s : edge.stats()) {
    pages += s->responses_2xx.load(std::memory_order_relaxed);
    ok += s->responses_3xx.load(std::memory_order_relaxed);
    nf += s->responses_404.load(std::memory_order_relaxed);
    bad += s->responses_4xx_other.load(std::memory_order_relaxed);
    err += s->responses_5xx.load(std::memory_order_relaxed);
    hits += s->hits.load(std::memory_order_relaxed);
    misses += s->misses.load(std::memory_order_relaxed);
    unsafe += s->unsafe_targets.load(std::memory_order_relaxed);
    timeouts += s->timeouts.load(std::memory_order_relaxed);
    refused += s->connections_refused.load(std::memory_order_relaxed);
    handshakes += s->tls_handshakes.load(std::memory_order_relaxed);
    resumed += s->tls_resumed.load(std::memory_order_relaxed);
    handshake_failures += s->tls_handshake_failures.load(std::memory_order_relaxed);
  }
  uint64_t clicks = 0, bots = 0, dropped = 0;
  for (const auto& c : edge.clicks()) {
    clicks += c->clicks();
    bots += c->bot_hits();
    dropped += c->dropped();
  }
  std::ostringstream out;
  out << "# HELP redirector_responses_total Responses on the public port by status class.\n"
         "# TYPE redirector_responses_total counter\n"
      << "redirector_responses_total{status=\"2xx\"} " << pages << "\n"
      << "redirector_responses_total{status=\"3xx\"} " << ok << "\n"
      << "redirector_responses_total{status=\"404\"} " << nf << "\n"
      << "redirector_responses_total{status=\"4xx\"} " << bad << "\n"
      << "redirector_responses_total{status=\"5xx\"} " << err << "\n"
      << "# TYPE redirector_hits_total counter\nredirector_hits_total " << hits << "\n"
      << "# TYPE redirector_misses_total counter\nredirector_misses_total " << misses << "\n"
      << "# HELP redirector_unsafe_targets_total Hits on a stored target unfit for a Location "
         "header (answered 500).\n"
      << "# TYPE redirector_unsafe_targets_total counter\nredirector_unsafe_targets_total "
      << unsafe << "\n"
      << "# TYPE redirector_head_timeouts_total counter\nredirector_head_timeouts_total "
      << timeouts << "\n"
      << "# TYPE redirector_connections_refused_total "
         "counter\nredirector_connections_refused_total "
      << refused << "\n"
      << "# TYPE redirector_open_connections gauge\nredirector_open_connections "
      << edge.open_connections() << "\n"
      << "# TYPE redirector_clicks_total counter\nredirector_clicks_total " << clicks << "\n"
      << "# HELP redirector_bot_hits_total HEAD requests and bot or preview fetches of existing "
         "links (not clicks).\n"
      << "# TYPE redirector_bot_hits_total counter\nredirector_bot_hits_total " << bots << "\n"
      << "# HELP redirector_clicks_dropped_total Clicks not counted: a thread's table was full "
         "with no spare.\n"
      << "# TYPE redirector_clicks_dropped_total counter\nredirector_clicks_dropped_total "
      << dropped << "\n";
  if (edge.tls_port() != 0) {
    out << "# HELP redirector_tls_handshakes_total TLS handshakes finished on the TLS listener "
           "(resumed ones included).\n"
        << "# TYPE redirector_tls_handshakes_total counter\nredirector_tls_handshakes_total "
        << handshakes << "\n"
        << "# HELP redirector_tls_resumed_total TLS handshakes that resumed a session from a "
           "ticket.\n"
        << "# TYPE redirector_tls_resumed_total counter\nredirector_tls_resumed_total " << resumed
        << "\n"
        << "# HELP redirector_tls_handshake_failures_total TLS connections closed before their "
           "handshake finished.\n"
        << "# TYPE redirector_tls_handshake_failures_total "
           "counter\nredirector_tls_handshake_failures_total "
        << handshake_failures << "\n";
  }
  return out.str();
}

// GET /digest on the ops port: {"seq","links","hash"} of the links served,
// as of the applied seq (common/link_digest.h; admin-api answers the same at
// GET /api/v1/nodes/digest). On the ops thread: the walk (~60 ms per 1M
// links) reads the table as lookups do, and holds the applier off for one
// walk at most when changes keep overlapping it (sync/change_gate.h).
OpsReply NodeDigest(NodeSync& sync, const LinkTable& table) {
  if (!sync.ready()) return {503, "application/json", R"({"message":"loading"})"};
  static thread_local RcuThreadScope rcu;  // the ops thread reads the table from here on
  LinkDigest digest;
  uint64_t seq = 0;
  sync.ReadAtAppliedSeq([&](uint64_t applied) {
    seq = applied;
    digest = DigestOfTable(table);
  });
  return {200, "application/json", digest.ToJson(seq) + "\n"};
}

// The click flusher has its own admin client: it runs on its own thread,
// and an AdminClient serves one thread at a time. Shorter timeouts than the
// sync's keep a flush, and the shutdown wait, bounded.
Result<std::unique_ptr<ClickFlusher>> MakeClickFlusher(const Flags& f, const EdgeServer& edge,
                                                       VisitClassifier* classifier,
                                                       MetricsRegistry* metrics) {
  auto token = ReadNodeTokenFile(f.node_token_file);
  if (!token.ok()) return token.error();
  AdminClientOptions admin_options;
  admin_options.url = f.admin_url;
  admin_options.node_token = std::move(token).value();
  admin_options.ca_file = f.admin_ca;
  admin_options.node_id = f.node_id.empty() ? Hostname() : f.node_id;
  admin_options.connect_timeout = std::chrono::milliseconds(1000);
  admin_options.io_timeout = std::chrono::milliseconds(2000);
  auto admin = AdminClient::Create(std::move(admin_options));
  if (!admin.ok())
    return MakeError(admin.error().code, "--admin-url/--admin-ca: " + admin.error().message);
  ClickFlusherOptions options;
  options.node_id = f.node_id.empty() ? Hostname() : f.node_id;
  options.data_dir = f.data_dir;
  options.redis = f.redis_locator;
  options.classifier = classifier;
  return ClickFlusher::Create(edge.clicks(), std::move(admin).value(), std::move(options), metrics);
}

int Run(const Flags& f) {
  LogLevel level;
  if (!ParseLogLevel(f.log_level, &level)) {
    std::cerr << "redirector: --log-level must be debug, info, warn or error\n";
    return 2;
  }
  SetLogLevel(level);
  EdgeServerOptions edge_options;
  if (Status s = ParseHostPort(f.listen, &edge_options.host, &edge_options.port); !s.ok()) {
    std::cerr << "redirector: --listen: " << s.error().message << "\n";
    return 2;
  }
  std::string ops_host;
  unsigned short ops_port = 0;
  if (Status s = ParseHostPort(f.ops_listen, &ops_host, &ops_port); !s.ok()) {
    std::cerr << "redirector: --ops-listen: " << s.error().message << "\n";
    return 2;
  }
  if (f.redirect_status != 301 && f.redirect_status != 302 && f.redirect_status != 307 &&
      f.redirect_status != 308) {
    std::cerr << "redirector: --redirect-status must be 301, 302, 307 or 308\n";
    return 2;
  }
  if (f.client_ip_header == "x-forwarded-for") {
    edge_options.client_address = ClientAddressSource::kXForwardedFor;
  } else if (f.client_ip_header == "x-real-ip") {
    edge_options.client_address = ClientAddressSource::kXRealIp;
  } else if (f.client_ip_header != "none") {
    std::cerr << "redirector: --client-ip-header must be none, x-forwarded-for or x-real-ip\n";
    return 2;
  }
  if (!f.home_url.empty() && !SafeHeaderValue(f.home_url)) {
    std::cerr << "redirector: --home-url must be a URL without spaces or control characters\n";
    return 2;
  }
  if (f.analytics != "on" && f.analytics != "off") {
    std::cerr << "redirector: --analytics must be on or off\n";
    return 2;
  }
  if (f.unknown_host != "404" && f.unknown_host != "default") {
    std::cerr << "redirector: --unknown-host must be 404 or default\n";
    return 2;
  }
  std::vector<std::string> default_hosts;
  for (size_t start = 0; start <= f.public_host.size();) {
    size_t end = std::min(f.public_host.find(',', start), f.public_host.size());
    std::string name = f.public_host.substr(start, end - start);
    start = end + 1;
    if (name.empty()) continue;
    auto host = NormalizeDomain(name);
    if (!host.ok()) {
      std::cerr << "redirector: --public-host " << name << ": " << host.error().message << "\n";
      return 2;
    }
    default_hosts.push_back(std::move(host).value());
  }
  if (f.threads < 1 || f.idle_timeout < 1) {
    std::cerr << "redirector: --threads and --idle-timeout must be at least 1\n";
    return 2;
  }
  edge_options.threads = f.threads;
  edge_options.idle_timeout = std::chrono::seconds(f.idle_timeout);
  edge_options.max_connections = f.max_connections;
  edge_options.responder.redirect_status = f.redirect_status;
  edge_options.responder.home_url = f.home_url;
  edge_options.responder.unknown_host_default = f.unknown_host == "default";
  // The operator's pages, checked now; ours where none is given (edge/pages.h).
  EdgePages* pages = &edge_options.responder.pages;
  if (!LoadPage("not-found-page", f.not_found_page, pages, &EdgePages::SetNotFound) ||
      !LoadPage("gone-page", f.gone_page, pages, &EdgePages::SetGone) ||
      !LoadPage("password-page", f.password_page, pages, &EdgePages::SetPassword))
    return 2;

  auto redirect_hosts = HostList::Parse(f.https_redirect);
  auto hsts_hosts = HostList::Parse(f.hsts);
  if (!redirect_hosts.ok() || !hsts_hosts.ok()) {
    std::cerr << "redirector: " << (redirect_hosts.ok() ? "--hsts " : "--https-redirect ")
              << (redirect_hosts.ok() ? hsts_hosts : redirect_hosts).error().message << "\n";
    return 2;
  }
  edge_options.https.redirect = std::move(redirect_hosts).value();
  edge_options.https.hsts = std::move(hsts_hosts).value();
  edge_options.https.hsts_header = HttpsPolicy::HstsHeader(f.hsts_max_age);
  std::unique_ptr<TlsFrontend> tls;
  if (!f.tls_listen.empty()) {
    if (Status s = ParseHostPort(f.tls_listen, &edge_options.tls_host, &edge_options.tls_port);
        !s.ok()) {
      std::cerr << "redirector: --tls-listen: " << s.error().message << "\n";
      return 2;
    }
    if (f.tls_cert_dir.empty()) {
      std::cerr << "redirector: --tls-listen needs --tls-cert-dir\n";
      return 2;
    }
    TlsOptions tls_options;
    tls_options.cert_dir = f.tls_cert_dir;
    tls_options.default_cert = f.tls_default_cert;
    auto created = TlsFrontend::Create(tls_options);
    if (!created.ok()) {
      std::cerr << "redirector: --tls-cert-dir: " << created.error().message << "\n";
      return 2;
    }
    tls = std::move(created).value();
    edge_options.tls = tls.get();
  }

  RcuThreadScope rcu;  // this thread writes the table while the replica loads
  LinkTable table;
  table.SetDefaultHosts(std::move(default_hosts));
  MetricsRegistry metrics;
  NodeSyncConfig sync_config{f.data_dir,  f.redis_locator,
                             f.admin_url, f.node_token_file,
                             f.admin_ca,  f.node_id.empty() ? Hostname() : f.node_id,
                             nullptr};
  auto sync = NodeSync::Create(sync_config, &table, &metrics);
  if (!sync.ok()) {
    std::cerr << "redirector: " << sync.error().message << "\n";
    return 1;
  }
  auto started = std::chrono::steady_clock::now();
  if (Status s = (*sync)->Start(); !s.ok()) {
    std::cerr << "redirector: " << s.error().message << "\n";
    return 1;
  }
  LogInfo("replica loaded into memory",
          {{"links", std::to_string(table.size())},
           {"ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - started)
                                     .count())}});
  metrics.AddCallbackGauge("redirector_links", "Links held in memory.",
                           [&table] { return double(table.size()); });
  metrics.AddCallbackGauge("redirector_table_bytes", "Bytes of the in-memory link table.",
                           [&table] { return double(table.memory_bytes()); });

  EdgeServer edge(&table, edge_options);
  std::unique_ptr<VisitClassifier> classifier;
  if (f.analytics == "on") {
    VisitClassifierOptions classifier_options;
    classifier_options.geoip_db = f.geoip_db;
    classifier_options.user_agent_regexes = f.user_agent_regexes;
    auto opened = VisitClassifier::Open(classifier_options);
    if (!opened.ok()) {
      std::cerr << "redirector: click analytics (--geoip-db, --user-agent-regexes; --analytics off "
                   "to count clicks without them): "
                << opened.error().message << "\n";
      return 1;
    }
    classifier = std::move(opened).value();
    metrics.AddCallbackGauge("shortlink_redirector_visitors_forgotten",
                             "Visits counted unique without being remembered: past the day's "
                             "bound on visitors (click analytics).",
                             [c = classifier.get()] { return double(c->visitors_forgotten()); });
    for (const auto& clicks : edge.clicks()) clicks->EnableVisits(kVisitRingBytes);
  }
  auto flusher = MakeClickFlusher(f, edge, classifier.get(), &metrics);
  if (!flusher.ok()) {
    std::cerr << "redirector: " << flusher.error().message << "\n";
    return 1;
  }
  NodeSync* node_sync = sync->get();
  OpsServer ops([&](const std::string& path) -> OpsReply {
    if (path == "/healthz") {
      if (node_sync->ready()) return {200, "text/plain", "ok\n"};
      return {503, "text/plain", "loading\n"};
    }
    if (path == "/metrics")
      return {200, "text/plain; version=0.0.4", metrics.Render() + WorkerMetrics(edge)};
    if (path == "/digest") return NodeDigest(*node_sync, table);
    return {404, "text/plain", "not found\n"};
  });
  // The public port first: /healthz answering 200 promises a serving node.
  auto bound = edge.Start();
  if (!bound.ok()) {
    std::cerr << "redirector: " << bound.error().message << "\n";
    return 1;
  }
  auto ops_bound = ops.Start(ops_host, ops_port);
  if (!ops_bound.ok()) {
    std::cerr << "redirector: " << ops_bound.error().message << "\n";
    edge.Stop();  // before the flusher's destructor drains the workers' tables
    return 1;
  }
  (*flusher)->Start();
  if (tls) {
    metrics.AddCallbackGauge("redirector_tls_reloads", "TLS certificate loads that succeeded.",
                             [t = tls.get()] { return double(t->reloads()); });
    metrics.AddCallbackGauge("redirector_tls_reload_failures",
                             "TLS certificate loads that failed (the previous ones stay).",
                             [t = tls.get()] { return double(t->reload_failures()); });
    tls->StartWatching();
  }
  LogInfo("redirector listening",
          {{"address", edge_options.host + ":" + std::to_string(*bound)},
           {"tls", tls ? edge_options.tls_host + ":" + std::to_string(edge.tls_port()) : "off"},
           {"ops", ops_host + ":" + std::to_string(*ops_bound)},
           {"threads", std::to_string(f.threads)}});

  // SIGHUP reloads the TLS certificates; SIGINT or SIGTERM stops.
  boost::asio::io_context signals_ioc(1);
  boost::asio::signal_set signals(signals_ioc, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec || signal != SIGHUP) return;  // run() returns: shut down
        if (tls) (void)tls->Reload();
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);
  signals_ioc.run();
  LogInfo("shutting down");
  edge.Stop();
  (*flusher)->Stop();  // after the workers exit: drains their tables, sends, waits for admin-api
  (*sync)->Stop();
  ops.Stop();
  LogInfo("stopped");
  return 0;
}

}  // namespace

int RunRedirector(int argc, char** argv) {
  Flags f;
  po::options_description desc("redirector options");
  desc.add_options()("data-dir", po::value(&f.data_dir)->required(),
                     "Directory of this node's RocksDB replica.")(
      "listen", po::value(&f.listen)->default_value(f.listen),
      "HOST:PORT of the public redirect port.")(
      "redis", po::value(&f.redis)->default_value(f.redis),
      "Redis HOST:PORT for live changes; empty to poll admin-api only.")(
      "redis-sentinel", po::value(&f.redis_sentinel),
      "Redis Sentinels HOST:PORT,HOST:PORT,...: find the Redis primary through them and follow "
      "its failovers (instead of --redis; needs --redis-master).")(
      "redis-master", po::value(&f.redis_master),
      "The master name the sentinels monitor (their 'sentinel monitor NAME ...').")(
      "admin-url", po::value(&f.admin_url)->required(),
      "admin-api base URL, e.g. https://admin.internal:8443.")(
      "node-token-file", po::value(&f.node_token_file)->required(),
      "File holding the node token admin-api expects.")(
      "admin-ca", po::value(&f.admin_ca),
      "Trust this CA or self-signed certificate (PEM) for --admin-url.")(
      "node-id", po::value(&f.node_id), "Name of this node (default: the host name).")(
      "threads", po::value(&f.threads)->default_value(f.threads),
      "Worker threads (default: all cores).")("ops-listen",
                                              po::value(&f.ops_listen)->default_value(f.ops_listen),
                                              "HOST:PORT for /healthz, /metrics and /digest.")(
      "redirect-status", po::value(&f.redirect_status)->default_value(f.redirect_status),
      "301, 302, 307 or 308.")(
      "client-ip-header", po::value(&f.client_ip_header)->default_value(f.client_ip_header),
      "Where a visitor's address comes from, for unique clicks and password guess limits: none "
      "(the TCP peer), x-forwarded-for (its last element) or x-real-ip. Set it only behind a "
      "proxy that overwrites that header.")("home-url", po::value(&f.home_url),
                                            "Where / redirects (default: / is a 404).")(
      "public-host", po::value(&f.public_host),
      "The default domain's host names, comma-separated (the host of admin-api's --public-url, "
      "e.g. sho.rt). Requests naming one, requests without Host, and requests to an IP address "
      "or localhost (any port) are the default domain's; a custom domain's host is its own; any "
      "other Host is unknown (see --unknown-host).")(
      "unknown-host", po::value(&f.unknown_host)->default_value(f.unknown_host),
      "What a request whose Host is neither the default domain's (--public-host, an IP address, "
      "localhost, none) nor a custom domain gets: 404, or default (the default domain's links "
      "and / as if it named the default domain). While the node knows no custom domain, every "
      "Host is the default domain's, as before domains.")(
      "not-found-page", po::value(&f.not_found_page),
      "HTML file served with 404s, instead of ours (at most 4096 bytes).")(
      "gone-page", po::value(&f.gone_page),
      "HTML file served with 410s (expired, or the click limit reached, with no fallback URL), "
      "instead of ours; {{reason}} in it becomes the reason. At most 4096 bytes once filled in.")(
      "password-page", po::value(&f.password_page),
      "HTML file for password-protected links (200, 401 and 429), instead of ours. It must hold "
      "{{form}}, where the form goes (label, field, button and what went wrong). At most 4096 "
      "bytes once filled in.")("idle-timeout",
                               po::value(&f.idle_timeout)->default_value(f.idle_timeout),
                               "Seconds before an idle keep-alive connection is closed.")(
      "max-connections", po::value(&f.max_connections)->default_value(f.max_connections),
      "Open connections at most.")(
      "analytics", po::value(&f.analytics)->default_value(f.analytics),
      "on: each click is classified (device, OS, browser, brand, country, language, referrer, "
      "source, hour, unique or repeat) and admin-api keeps the counts (costs ~1.5 us of the "
      "node's CPU per click, and more of admin-api's: see README); off: clicks are counted "
      "without them.")(
      "geoip-db", po::value(&f.geoip_db),
      "A MaxMind-format database (.mmdb, e.g. GeoLite2-City) for countries and cities (default: "
      "Debian's tor-geoipdb, countries only).")(
      "user-agent-regexes", po::value(&f.user_agent_regexes)->default_value(f.user_agent_regexes),
      "uap-core's regexes.yaml, for devices, OSes and browsers.")(
      "tls-listen", po::value(&f.tls_listen),
      "HOST:PORT of the HTTPS redirect port, e.g. 0.0.0.0:443 (default: none). Needs "
      "--tls-cert-dir.")(
      "tls-cert-dir", po::value(&f.tls_cert_dir),
      "Directory of NAME.crt (PEM chain, leaf first) + NAME.key pairs; each serves the host names "
      "of its certificate (wildcards too), chosen by SNI; RSA and ECDSA side by side. Reloaded on "
      "SIGHUP and when its files change.")(
      "tls-default-cert", po::value(&f.tls_default_cert),
      "NAME of the certificate for clients that name no host we have (default: the first by "
      "name).")(
      "https-redirect", po::value(&f.https_redirect),
      "Hosts whose plain-HTTP requests get a 308 to the same URL on https:// (comma-separated; "
      "*.example.com for one label, * for every host).")(
      "hsts", po::value(&f.hsts),
      "Hosts whose HTTPS answers carry Strict-Transport-Security (same form as "
      "--https-redirect).")("hsts-max-age",
                            po::value(&f.hsts_max_age)->default_value(f.hsts_max_age),
                            "Seconds browsers keep to HTTPS for an --hsts host.")(
      "log-level", po::value(&f.log_level)->default_value(f.log_level),
      "debug, info, warn or error.");
  auto parsed = ParseOptions(std::vector<std::string>(argv + 1, argv + argc), desc, "REDIRECTOR");
  if (!parsed.ok()) {
    std::cerr << "redirector: " << parsed.error().message << "\nTry 'redirector --help'.\n";
    return 2;
  }
  if (parsed->help) {
    desc.add_options()("help,h", "Show this help and exit.")("config", po::value<std::string>(),
                                                             "Read options from this file.");
    std::cout
        << "Usage: redirector --data-dir DIR --admin-url URL --node-token-file FILE [OPTIONS]\n\n"
        << "Every option can also be set in a --config file (key = value) or an environment\n"
        << "variable REDIRECTOR_<OPTION> (upper case, '-' as '_').\n\n"
        << desc << "\n";
    return 0;
  }
  auto redis = RedisLocator::FromFlags(f.redis, f.redis_sentinel, f.redis_master);
  if (!redis.ok()) {
    std::cerr << "redirector: " << redis.error().message << "\nTry 'redirector --help'.\n";
    return 2;
  }
  f.redis_locator = std::move(redis).value();
  return Run(f);
}

}  // namespace shortlink::redirector
