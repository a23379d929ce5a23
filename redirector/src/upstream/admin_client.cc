#include "upstream/admin_client.h"

#include <simdjson.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/change.h"

namespace shortlink::redirector {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 64 * 1024;  // bytes handed to the frame reader at a time

Error Unavailable(std::string message) {
  return MakeError(ErrorCode::kUnavailable, std::move(message));
}

bool ParseU64(std::string_view text, uint64_t* value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

struct ParsedUrl {
  bool tls = false;
  std::string host;  // without brackets
  std::string port;
  std::string host_header;
  std::string base_path;  // "" or "/prefix" without a trailing slash
};

Result<ParsedUrl> ParseAdminUrl(std::string_view url) {
  ParsedUrl out;
  if (url.starts_with("https://")) {
    out.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return MakeError(ErrorCode::kInvalidArgument, "admin URL must start with http:// or https://");
  }
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : url.substr(slash);
  while (path.ends_with('/')) path.remove_suffix(1);
  if (authority.empty() || authority.find('@') != std::string_view::npos ||
      path.find_first_of("?# ") != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "bad admin URL");
  }
  std::string_view host = authority, port;
  if (authority.front() == '[') {  // [v6 address]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return MakeError(ErrorCode::kInvalidArgument, "bad admin URL");
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return MakeError(ErrorCode::kInvalidArgument, "bad admin URL");
      port = rest.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  uint64_t port_number = 0;
  if (!port.empty() && (!ParseU64(port, &port_number) || port_number == 0 || port_number > 65535)) {
    return MakeError(ErrorCode::kInvalidArgument, "bad port in admin URL");
  }
  if (host.empty()) return MakeError(ErrorCode::kInvalidArgument, "admin URL lacks a host");
  out.host.assign(host);
  out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
  out.host_header.assign(authority);
  out.base_path.assign(path);
  return out;
}

}  // namespace

Result<std::string> ReadNodeTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kInvalidArgument, "cannot read node token file " + path);
  std::stringstream contents;
  contents << in.rdbuf();
  std::string token = contents.str();
  const char* kSpace = " \t\r\n";
  size_t begin = token.find_first_not_of(kSpace);
  if (begin == std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "node token file " + path + " is empty");
  }
  size_t end = token.find_last_not_of(kSpace);
  return token.substr(begin, end - begin + 1);
}

struct AdminClient::Impl {
  // One connection; an ssl_stream whose next layer is used alone for http.
  struct Connection {
    Connection(asio::io_context& ioc, ssl::context& ctx) : stream(ioc, ctx) {}
    beast::ssl_stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
  };

  using HeaderFn = std::function<Status(const http::response_header<>&)>;
  using BodyFn = std::function<Status(std::string_view)>;

  Impl(AdminClientOptions o, ParsedUrl u) : options(std::move(o)), url(std::move(u)) {}

  // Runs `task` on the private io_context, on the calling thread, to the end.
  template <typename T>
  T RunSync(asio::awaitable<T> task) {
    std::optional<T> out;
    std::string failure;
    ioc.restart();
    asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T value) {
      if (!e) {
        out.emplace(std::move(value));
        return;
      }
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        failure = ex.what();
      }
    });
    ioc.run();
    if (!out) {
      conn.reset();
      return MakeError(ErrorCode::kInternal, "admin request failed: " + failure);
    }
    return std::move(*out);
  }

  // Sets the deadline of the next operation; false once cancelled. Checking
  // the flag before every operation closes the window in which Cancel's
  // posted handler could run between two operations and cancel neither.
  bool Arm(Connection& c, std::chrono::milliseconds timeout) {
    if (cancelled.load(std::memory_order_acquire)) return false;
    beast::get_lowest_layer(c.stream).expires_after(timeout);
    return true;
  }

  asio::awaitable<Status> Connect() {
    auto c = std::make_unique<Connection>(ioc, ssl_ctx);
    // Name resolution cannot be bounded by the stream's deadline, so a timer
    // cancels it. (Addresses, the usual case, resolve without a lookup.)
    tcp::resolver resolver(ioc);
    asio::steady_timer timer(ioc, options.connect_timeout);
    timer.async_wait([&resolver](beast::error_code ec) {
      if (!ec) resolver.cancel();
    });
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(url.host, url.port, kTuple);
    timer.cancel();
    if (resolve_ec)
      co_return Unavailable("cannot resolve " + url.host + ": " + resolve_ec.message());
    if (!Arm(*c, options.connect_timeout)) co_return Unavailable("cancelled");
    auto& tcp_stream = beast::get_lowest_layer(c->stream);
    auto [connect_ec, endpoint] = co_await tcp_stream.async_connect(endpoints, kTuple);
    if (connect_ec) co_return Unavailable("cannot connect to admin-api: " + connect_ec.message());
    beast::error_code ignored;
    tcp_stream.socket().set_option(tcp::no_delay(true), ignored);
    if (url.tls) {
      beast::error_code ec;
      asio::ip::make_address(url.host, ec);
      if (ec && !SSL_set_tlsext_host_name(c->stream.native_handle(), url.host.c_str())) {
        co_return MakeError(ErrorCode::kInternal, "cannot set TLS server name");
      }
      c->stream.set_verify_callback(ssl::host_name_verification(url.host));
      if (!Arm(*c, options.connect_timeout)) co_return Unavailable("cancelled");
      auto [handshake_ec] = co_await c->stream.async_handshake(ssl::stream_base::client, kTuple);
      if (handshake_ec)
        co_return Unavailable("TLS handshake with admin-api failed: " + handshake_ec.message());
    }
    conn = std::move(c);
    co_return Status::Ok();
  }

  // Reads or writes on the connection, TLS or not.
  template <typename F>
  asio::awaitable<std::tuple<beast::error_code, size_t>> OnStream(Connection& c, F f) {
    if (url.tls) co_return co_await f(c.stream);
    co_return co_await f(c.stream.next_layer());
  }

  // One GET: `on_header` sees a 200's headers, `on_body` its body as it
  // arrives. Other statuses become errors.
  asio::awaitable<Status> Exchange(std::string target, HeaderFn on_header, BodyFn on_body) {
    http::request<http::empty_body> request{http::verb::get, url.base_path + target, 11};
    request.set(http::field::host, url.host_header);
    request.set(http::field::authorization, "Bearer " + options.node_token);
    request.set(http::field::user_agent, "shortlink-redirector");
    if (!options.node_id.empty()) request.set("X-Node-Id", options.node_id);
    request.keep_alive(true);

    for (int attempt = 0;; ++attempt) {
      if (cancelled.load(std::memory_order_acquire)) co_return Unavailable("cancelled");
      bool reused = conn != nullptr;
      if (!reused) {
        Status s = co_await Connect();
        if (!s.ok()) co_return s;
      }
      Connection& c = *conn;
      http::response_parser<http::buffer_body> parser;
      parser.body_limit(boost::none);  // streamed; FrameReader bounds each frame

      beast::error_code ec;
      if (!Arm(c, options.io_timeout)) co_return Unavailable("cancelled");
      std::tie(ec, std::ignore) =
          co_await OnStream(c, [&](auto& s) { return http::async_write(s, request, kTuple); });
      if (!ec) {
        if (!Arm(c, options.io_timeout)) co_return Unavailable("cancelled");
        std::tie(ec, std::ignore) = co_await OnStream(
            c, [&](auto& s) { return http::async_read_header(s, c.buffer, parser, kTuple); });
      }
      if (ec) {
        conn.reset();
        // An idle keep-alive connection the server closed: try a fresh one.
        if (reused && attempt == 0 && !cancelled.load()) continue;
        co_return Unavailable("admin-api request failed: " + ec.message());
      }

      const auto& header = parser.get().base();
      unsigned status = header.result_int();
      if (status != 200) {
        conn.reset();  // do not bother draining an error body
        std::string what = "admin-api answered " + std::to_string(status) + " to " + target;
        if (status == 410) co_return MakeError(ErrorCode::kGone, what);
        if (status == 401 || status == 403) co_return MakeError(ErrorCode::kUnauthorized, what);
        co_return Unavailable(what);
      }
      Status s = on_header(header);
      if (!s.ok()) {
        conn.reset();
        co_return s;
      }

      // Chunk after chunk into a fixed buffer: the body may be the whole
      // link set (a snapshot), and is never held at once.
      std::unique_ptr<char[]> chunk(new char[kReadChunk]);
      while (!parser.is_done()) {
        parser.get().body().data = chunk.get();
        parser.get().body().size = kReadChunk;
        if (!Arm(c, options.io_timeout)) {
          conn.reset();
          co_return Unavailable("cancelled");
        }
        std::tie(ec, std::ignore) = co_await OnStream(
            c, [&](auto& s) { return http::async_read(s, c.buffer, parser, kTuple); });
        if (ec == http::error::need_buffer) ec = {};
        if (ec) {
          conn.reset();
          co_return Unavailable("admin-api response cut short: " + ec.message());
        }
        size_t got = kReadChunk - parser.get().body().size;
        if (got > 0) {
          s = on_body(std::string_view(chunk.get(), got));
          if (!s.ok()) {
            conn.reset();
            co_return s;
          }
        }
      }
      if (!parser.keep_alive()) conn.reset();
      co_return Status::Ok();
    }
  }

  AdminClientOptions options;
  ParsedUrl url;
  asio::io_context ioc{1};
  ssl::context ssl_ctx{ssl::context::tls_client};
  std::unique_ptr<Connection> conn;  // only touched on the requesting thread
  std::atomic<bool> cancelled{false};
};

AdminClient::AdminClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  endpoint_ = impl_->url.host_header;
}

AdminClient::~AdminClient() = default;

Result<std::unique_ptr<AdminClient>> AdminClient::Create(AdminClientOptions options) {
  auto url = ParseAdminUrl(options.url);
  if (!url.ok()) return url.error();
  auto impl = std::make_unique<Impl>(std::move(options), std::move(url).value());
  if (impl->url.tls) {
    beast::error_code ec;
    ssl::context& ctx = impl->ssl_ctx;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                    ec);
    ctx.set_verify_mode(ssl::verify_peer, ec);
    if (!impl->options.ca_file.empty()) {
      ctx.load_verify_file(impl->options.ca_file, ec);
      if (ec) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "cannot load admin CA " + impl->options.ca_file + ": " + ec.message());
      }
    } else {
      ctx.set_default_verify_paths(ec);
      if (ec)
        return MakeError(ErrorCode::kInternal,
                         "cannot load the system trust store: " + ec.message());
    }
  }
  return std::unique_ptr<AdminClient>(new AdminClient(std::move(impl)));
}

Result<ChangesPage> AdminClient::GetChanges(uint64_t after, size_t limit) {
  ChangesPage page;
  FrameReader frames;
  Status status = impl_->RunSync(impl_->Exchange(
      "/internal/v1/changes?after=" + std::to_string(after) + "&limit=" + std::to_string(limit),
      [&](const http::response_header<>& header) -> Status {
        auto it = header.find("X-Head-Seq");
        if (it == header.end() || !ParseU64(it->value(), &page.head_seq)) {
          return MakeError(ErrorCode::kInternal, "changes response lacks a valid X-Head-Seq");
        }
        return Status::Ok();
      },
      [&](std::string_view bytes) -> Status {
        frames.Feed(bytes);
        std::string_view frame;
        bool corrupt = false;
        while (frames.Next(&frame, &corrupt)) {
          auto change = ReceivedChange::Decode(frame);
          if (!change.ok()) {
            return MakeError(ErrorCode::kInternal,
                             "bad change from admin-api: " + change.error().message);
          }
          page.changes.push_back(std::move(change).value());
        }
        if (corrupt)
          return MakeError(ErrorCode::kInternal, "corrupt frame in changes from admin-api");
        return Status::Ok();
      }));
  if (!status.ok()) return status.error();
  if (frames.pending() != 0)
    return MakeError(ErrorCode::kInternal, "changes body ends inside a frame");
  return page;
}

Status AdminClient::GetSnapshot(const SnapshotStart& on_start, const SnapshotRecord& on_record,
                                const SnapshotRecord& on_domain) {
  FrameReader frames;
  uint64_t domains_left = 0;  // domain frames still to come, before the links
  Status status = impl_->RunSync(impl_->Exchange(
      on_domain ? "/internal/v1/snapshot?domains=1" : "/internal/v1/snapshot",
      [&](const http::response_header<>& header) -> Status {
        uint64_t seq = 0;
        auto it = header.find("X-Snapshot-Seq");
        if (it == header.end() || !ParseU64(it->value(), &seq)) {
          return MakeError(ErrorCode::kInternal, "snapshot response lacks a valid X-Snapshot-Seq");
        }
        if (auto d = header.find("X-Snapshot-Domains"); on_domain && d != header.end()) {
          if (!ParseU64(d->value(), &domains_left))
            return MakeError(ErrorCode::kInternal,
                             "snapshot response has a bad X-Snapshot-Domains");
        }
        return on_start(seq);
      },
      [&](std::string_view bytes) -> Status {
        frames.Feed(bytes);
        std::string_view frame;
        bool corrupt = false;
        while (frames.Next(&frame, &corrupt)) {
          Status s = domains_left > 0 ? on_domain(frame) : on_record(frame);
          if (domains_left > 0) --domains_left;
          if (!s.ok()) return s;
        }
        if (corrupt)
          return MakeError(ErrorCode::kInternal, "corrupt frame in snapshot from admin-api");
        return Status::Ok();
      }));
  if (!status.ok()) return status;
  if (frames.pending() != 0) return MakeError(ErrorCode::kInternal, "snapshot ends inside a frame");
  if (domains_left != 0)
    return MakeError(ErrorCode::kInternal, "snapshot ends before the domains it announced");
  return Status::Ok();
}

Result<AdminClient::ClickWatermark> AdminClient::GetClickWatermark(const std::string& node) {
  // The node id is operator-chosen text: percent-encode all but unreserved.
  std::string target = "/internal/v1/clicks/watermark?node=";
  for (unsigned char c : node) {
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      target += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      target += '%';
      target += kHex[c >> 4];
      target += kHex[c & 15];
    }
  }
  constexpr size_t kMaxBody = 4096;  // {"node":..., "applied":N}: a node id of 128 bytes at most
  std::string body;
  Status status = impl_->RunSync(impl_->Exchange(
      target, [](const http::response_header<>&) { return Status::Ok(); },
      [&](std::string_view bytes) -> Status {
        if (body.size() + bytes.size() > kMaxBody)
          return MakeError(ErrorCode::kInternal, "watermark response too large");
        body.append(bytes);
        return Status::Ok();
      }));
  if (!status.ok()) return status.error();
  simdjson::ondemand::parser parser;
  simdjson::padded_string json(body);
  ClickWatermark watermark;
  auto doc = parser.iterate(json);
  if (doc.error() || doc["applied"].get_uint64().get(watermark.applied)) {
    return MakeError(ErrorCode::kInternal, "watermark response lacks a valid \"applied\"");
  }
  bool reads = false;  // absent from an older admin-api's answer
  if (!doc["dimensionDictionary"].get_bool().get(reads)) watermark.reads_dictionary = reads;
  return watermark;
}

void AdminClient::Cancel() {
  impl_->cancelled.store(true, std::memory_order_release);
  Impl* impl = impl_.get();
  asio::post(impl->ioc, [impl] {
    if (impl->conn) beast::get_lowest_layer(impl->conn->stream).cancel();
  });
}

}  // namespace shortlink::redirector
