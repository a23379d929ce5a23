#include "tls/cert_store.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "common/tls_policy.h"

namespace shortlink::redirector {
namespace {

namespace fs = std::filesystem;

// Ticket lifetime: a returning client resumes within this long.
constexpr long kSessionTimeoutSeconds = 2 * 3600;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

// One NAME.crt + NAME.key pair of the directory.
struct CertFiles {
  std::string name;
  std::string cert_path;
  std::string key_path;
  std::vector<std::string> hosts;
};

// The DNS names of the certificate's subjectAltName, or its CN without one.
Result<std::vector<std::string>> HostNames(const std::string& cert_path) {
  FILE* file = fopen(cert_path.c_str(), "r");
  if (!file) return MakeError(ErrorCode::kInvalidArgument, "cannot read " + cert_path);
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  fclose(file);
  if (!cert) return MakeError(ErrorCode::kInvalidArgument, cert_path + ": " + OpenSslError());
  std::vector<std::string> hosts;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_DNS) continue;
    const ASN1_IA5STRING* dns = name->d.dNSName;
    hosts.push_back(Lower(std::string_view(reinterpret_cast<const char*>(dns->data),
                                           static_cast<size_t>(dns->length))));
  }
  GENERAL_NAMES_free(names);
  if (hosts.empty()) {
    char cn[256];
    int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    if (n > 0) hosts.push_back(Lower(std::string_view(cn, static_cast<size_t>(n))));
  }
  X509_free(cert);
  if (hosts.empty())
    return MakeError(ErrorCode::kInvalidArgument,
                     cert_path + ": names no host (no DNS subjectAltName, no CN)");
  return hosts;
}

// Offers HTTP/1.1, the only protocol the edge speaks; a client offering
// only h2 goes on without ALPN.
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* out_len, const unsigned char* in,
               unsigned int in_len, void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_len, kHttp11, sizeof kHttp11, in, in_len) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

CertStore::~CertStore() {
  for (SSL_CTX* ctx : contexts_) SSL_CTX_free(ctx);
}

int CertStore::OnServerName(SSL* ssl, int*, void* arg) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (!name) return SSL_TLSEXT_ERR_NOACK;  // the default certificate
  SSL_CTX* ctx = static_cast<const CertStore*>(arg)->ContextFor(Lower(name));
  if (ctx && ctx != SSL_get_SSL_CTX(ssl)) SSL_set_SSL_CTX(ssl, ctx);
  return SSL_TLSEXT_ERR_OK;
}

SSL_CTX* CertStore::ContextFor(std::string_view host) const {
  if (auto it = by_host_.find(host); it != by_host_.end()) return it->second;
  size_t dot = host.find('.');
  if (dot == std::string_view::npos) return nullptr;
  std::string wildcard(1, '*');
  wildcard.append(host.substr(dot));
  if (auto it = by_host_.find(wildcard); it != by_host_.end()) return it->second;
  return nullptr;
}

std::vector<std::string> CertStore::hosts() const {
  std::vector<std::string> out;
  for (const auto& [host, ctx] : by_host_) out.push_back(host);
  return out;
}

Result<std::shared_ptr<const CertStore>> CertStore::Load(const std::string& dir,
                                                         const std::string& default_cert,
                                                         TicketKeys* tickets) {
  std::error_code ec;
  std::vector<CertFiles> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".crt") continue;
    CertFiles f;
    f.name = entry.path().stem().string();
    f.cert_path = entry.path().string();
    f.key_path = (entry.path().parent_path() / (f.name + ".key")).string();
    if (!fs::exists(f.key_path))
      return MakeError(ErrorCode::kInvalidArgument, f.cert_path + " has no " + f.key_path);
    auto hosts = HostNames(f.cert_path);
    if (!hosts.ok()) return hosts.error();
    f.hosts = std::move(hosts).value();
    files.push_back(std::move(f));
  }
  if (ec) return MakeError(ErrorCode::kInvalidArgument, "cannot read " + dir + ": " + ec.message());
  if (files.empty())
    return MakeError(ErrorCode::kInvalidArgument, dir + " holds no NAME.crt with its NAME.key");
  std::sort(files.begin(), files.end(),
            [](const CertFiles& a, const CertFiles& b) { return a.name < b.name; });

  // Which files serve each host; hosts served by the same files share a context.
  std::map<std::string, std::vector<size_t>> files_of_host;
  for (size_t i = 0; i < files.size(); ++i)
    for (const std::string& host : files[i].hosts) files_of_host[host].push_back(i);

  std::shared_ptr<CertStore> store(new CertStore);
  store->certificates_ = files.size();
  std::map<std::vector<size_t>, SSL_CTX*> context_of_files;
  auto make_context = [&](const std::vector<size_t>& which) -> Result<SSL_CTX*> {
    if (auto it = context_of_files.find(which); it != context_of_files.end()) return it->second;
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) return MakeError(ErrorCode::kInternal, "SSL_CTX_new: " + OpenSslError());
    store->contexts_.push_back(ctx);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1)
      return MakeError(ErrorCode::kInternal, "cipher list: " + OpenSslError());
    // Resumption by tickets only: stateless, so any worker thread (and no
    // cache lock) resumes any session.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_timeout(ctx, kSessionTimeoutSeconds);
    SSL_CTX_set_num_tickets(ctx, 1);
    tickets->Install(ctx);
    SSL_CTX_set_tlsext_servername_callback(ctx, &CertStore::OnServerName);
    SSL_CTX_set_tlsext_servername_arg(ctx, store.get());
    SSL_CTX_set_alpn_select_cb(ctx, SelectAlpn, nullptr);
    for (size_t i : which) {
      const CertFiles& f = files[i];
      if (SSL_CTX_use_certificate_chain_file(ctx, f.cert_path.c_str()) != 1)
        return MakeError(ErrorCode::kInvalidArgument, f.cert_path + ": " + OpenSslError());
      if (SSL_CTX_use_PrivateKey_file(ctx, f.key_path.c_str(), SSL_FILETYPE_PEM) != 1)
        return MakeError(ErrorCode::kInvalidArgument, f.key_path + ": " + OpenSslError());
      if (SSL_CTX_check_private_key(ctx) != 1)
        return MakeError(ErrorCode::kInvalidArgument,
                         f.key_path + " does not match " + f.cert_path + ": " + OpenSslError());
    }
    context_of_files[which] = ctx;
    return ctx;
  };
  for (const auto& [host, which] : files_of_host) {
    auto ctx = make_context(which);
    if (!ctx.ok()) return ctx.error();
    store->by_host_[host] = *ctx;
  }
  size_t default_index = 0;
  if (!default_cert.empty()) {
    auto it = std::find_if(files.begin(), files.end(),
                           [&](const CertFiles& f) { return f.name == default_cert; });
    if (it == files.end())
      return MakeError(ErrorCode::kInvalidArgument,
                       dir + " has no " + default_cert + ".crt (--tls-default-cert)");
    default_index = static_cast<size_t>(it - files.begin());
  }
  // The default serves its first host's whole set (an RSA and an ECDSA
  // certificate of one host both serve clients that name no host).
  auto ctx = make_context(files_of_host[files[default_index].hosts.front()]);
  if (!ctx.ok()) return ctx.error();
  store->default_ = *ctx;
  return std::shared_ptr<const CertStore>(std::move(store));
}

}  // namespace shortlink::redirector
