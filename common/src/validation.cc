#include "common/validation.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/src.hpp>  // Boost.URL is header-only in 1.81: compiled once, here
#include <cctype>
#include <iterator>

namespace shortlink {
namespace {

// Paths the deployment needs for itself (admin-api routes, probes, files
// browsers ask for), pages an operator of a public shortener is expected to
// have (abuse reports, terms), and words that would confuse people if they
// were someone's link. A new word of exactly 8 characters must also go into
// _RESERVED in bench/benchlib.py: random codes are 8 characters long and the
// benchmark skips the reserved ones.
constexpr std::string_view kReserved[] = {
    "api",     "admin",   "healthz", "health",  "readyz",   "livez",     "ping",
    "metrics", "login",   "logout",  "static",  "assets",   "docs",      "internal",
    "auth",    "oauth",   "signup",  "signin",  "settings", "dashboard", "status",
    "help",    "about",   "robots",  "favicon", "sitemap",  "www",       "abuse",
    "report",  "privacy", "terms",   "support", "contact",  "null",      "undefined",
};

constexpr size_t kMaxHostLength = 253;  // DNS: characters, without a trailing dot
constexpr size_t kMaxLabelLength = 63;  // DNS: characters per label

bool IsCodeChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool IsAlpha(char c) { return c >= 'a' && c <= 'z'; }

Status Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "Example.COM." and "example.com" are one host: lowercase, no trailing dot.
std::string NormalizeHost(std::string_view encoded_host) {
  std::string host = Lower(encoded_host);
  if (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

bool IsSameOrSubdomain(std::string_view host, std::string_view domain) {
  if (domain.empty()) return false;
  if (host == domain) return true;
  return host.size() > domain.size() && host.substr(host.size() - domain.size()) == domain &&
         host[host.size() - domain.size() - 1] == '.';
}

// A DNS name as browsers and resolvers take it: letters, digits and hyphens
// (IDNs arrive as punycode, raw non-ASCII is refused earlier), labels of
// 1-63 characters that neither start nor end with a hyphen.
bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostLength) return false;
  size_t start = 0;
  while (start <= host.size()) {
    size_t end = std::min(host.find('.', start), host.size());
    std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > kMaxLabelLength) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), IsCodeChar)) return false;
    start = end + 1;
  }
  return true;
}

// The last label must look like a top-level domain: letters only, at least
// two, or an IDN TLD in punycode ("xn--p1ai", and Singapore's own
// "xn--yfro4i67o"). A numeric last label is refused because browsers read
// such a host as an IPv4 address ("https://127.1", "https://0x7f.1").
bool HasTopLevelDomain(std::string_view host) {
  size_t dot = host.rfind('.');
  if (dot == std::string_view::npos) return false;  // "intranet", "localhost"
  std::string_view tld = host.substr(dot + 1);
  if (tld.size() > 4 && tld.substr(0, 4) == "xn--") return true;
  return tld.size() >= 2 && std::all_of(tld.begin(), tld.end(), IsAlpha);
}

// Ports are 1-65535. Boost.URL accepts any run of digits, and an empty port
// ("example.com:/"), which means the default one.
bool IsValidPort(std::string_view port) {
  if (port.empty()) return true;
  if (port.size() > 5) return false;
  int n = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  return n >= 1 && n <= 65535;
}

// RFC 5891 4.2.3.1: "--" in the third and fourth place is reserved for
// encodings of international names, of which punycode ("xn--") is the one.
bool HasReservedHyphens(std::string_view host) {
  for (size_t start = 0; start < host.size();) {
    size_t end = std::min(host.find('.', start), host.size());
    std::string_view label = host.substr(start, end - start);
    if (label.size() >= 4 && label.substr(2, 2) == "--" && label.substr(0, 2) != "xn") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

bool IsDomainName(std::string_view domain) {
  return domain.size() <= kMaxDomainLength && IsHostName(domain) && HasTopLevelDomain(domain) &&
         !HasReservedHyphens(domain);
}

Result<std::string> NormalizeDomain(std::string_view domain) {
  if (domain.empty()) return MakeError(ErrorCode::kInvalidArgument, "domain must not be empty.");
  std::string host = NormalizeHost(domain);
  if (host.size() > kMaxDomainLength) {
    return MakeError(ErrorCode::kInvalidArgument, "domain must be at most 253 characters.");
  }
  if (!IsDomainName(host)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "domain must be a host name like go.example.com: letters a-z, digits, "
                     "hyphens and dots, punycode for international names, no IP address or port.");
  }
  return host;
}

bool IsReservedCode(std::string_view code) {
  return std::find(std::begin(kReserved), std::end(kReserved), code) != std::end(kReserved);
}

Result<std::string> NormalizeCode(std::string_view code) {
  if (code.empty()) return MakeError(ErrorCode::kInvalidArgument, "shortUrl must not be empty.");
  if (code.size() > kMaxCodeLength) {
    return MakeError(ErrorCode::kInvalidArgument, "shortUrl must be at most 64 characters.");
  }
  std::string lower = Lower(code);
  if (!std::all_of(lower.begin(), lower.end(), IsCodeChar)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "shortUrl may only contain letters a-z, digits 0-9 and hyphens.");
  }
  if (IsReservedCode(lower)) {
    return MakeError(ErrorCode::kInvalidArgument, "shortUrl \"" + lower + "\" is reserved.");
  }
  return lower;
}

const std::vector<std::string>& DefaultShortenerBlocklist() {
  // General-purpose shorteners: anyone can point one of their links
  // anywhere, and re-point it after we checked it, so a link to one hides
  // its real target; a link to another go.gov.sg-like service can loop.
  // First-party brand shorteners that lead only to their owner's site
  // (youtu.be, amzn.to) are left out: they hide nothing.
  static const std::vector<std::string> hosts = {
      "bit.ly",  "bitly.com", "j.mp",      "tinyurl.com", "tiny.one",   "t.co",    "goo.gl",
      "ow.ly",   "is.gd",     "v.gd",      "buff.ly",     "rebrand.ly", "cutt.ly", "shorturl.at",
      "tiny.cc", "bl.ink",    "go.gov.sg", "s.id",        "t.ly",       "rb.gy",   "shorte.st",
      "adf.ly",  "bit.do",    "lnkd.in",   "ift.tt",      "dlvr.it",    "trib.al", "po.st",
      "soo.gd",  "clck.ru",   "u.to",      "x.co",        "tr.im",      "su.pr",   "mcaf.ee",
      "ouo.io",  "bc.vc",     "gg.gg",     "urlzs.com",   "short.gy",   "snip.ly", "t2m.io",
      "kutt.it", "shrtco.de", "qrco.de",   "hubs.ly",     "rotf.lol",
  };
  return hosts;
}

std::string HostOf(std::string_view url) {
  // Only "scheme://..." has a host. Checked before parsing because
  // Boost.URL 1.81 trips its own assertion (path_segments: nseg == 0) on a
  // scheme followed by a character no path may start with ("https:<"):
  // an abort in builds with assertions on, found by tests/fuzz/validation.
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || url.substr(colon + 1, 2) != "//") return "";
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_authority()) return "";
  return NormalizeHost(parsed->encoded_host());
}

Status ValidateLongUrl(std::string_view url, const UrlPolicy& policy) {
  if (url.empty()) return Invalid("longUrl must not be empty.");
  if (url.size() > kMaxUrlLength) return Invalid("longUrl is longer than 2048 characters.");
  // Bytes a URL never holds raw: controls (CR/LF would split a Location
  // header), spaces, DEL, and non-ASCII (must be percent-encoded).
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) {
      return Invalid(
          "longUrl must not contain spaces, control characters or unencoded non-ASCII characters.");
    }
  }
  // Compared before parsing, so javascript:, data:, file: and http: get
  // this message and never reach the URL parser (nor its assertion on
  // "https:<", see HostOf).
  if (Lower(url.substr(0, 8)) != "https://") return Invalid("longUrl must start with https://");
  auto parsed = boost::urls::parse_uri(url);
  // Boost.URL 1.81 accepts a path that does not start with '/' right after
  // the authority ("https://example.com:80x" is port 80, path "x"): RFC 3986
  // and browsers refuse those, so do we.
  if (!parsed || (!parsed->encoded_path().empty() && parsed->encoded_path().front() != '/')) {
    return Invalid("longUrl is not a valid URL.");
  }
  if (parsed->has_userinfo()) return Invalid("longUrl must not contain a user name or password.");
  if (parsed->host_type() != boost::urls::host_type::name) {
    return Invalid("longUrl must name a host (an IP address is not allowed).");
  }
  if (parsed->has_port() && !IsValidPort(parsed->port())) {
    return Invalid("longUrl has an invalid port (ports are 1-65535).");
  }
  std::string host = NormalizeHost(parsed->encoded_host());
  if (host.empty()) return Invalid("longUrl has no host name.");
  if (!IsHostName(host) || !HasTopLevelDomain(host)) {
    return Invalid(
        "longUrl must have a valid host name with a top-level domain (like example.com).");
  }
  // localhost and *.localhost resolve to this machine (RFC 6761; browsers
  // hard-wire it), whatever DNS says.
  if (IsSameOrSubdomain(host, "localhost")) {
    return Invalid("longUrl must not point to localhost.");
  }
  if (IsSameOrSubdomain(host, policy.own_host)) {
    return Invalid("longUrl must not point to this link service itself (" + policy.own_host + ").");
  }
  for (const std::string& blocked : policy.blocked_hosts) {
    if (IsSameOrSubdomain(host, blocked)) {
      return Invalid("longUrl points to a link shortener (" + blocked +
                     "); link to the destination instead.");
    }
  }
  return Status::Ok();
}

}  // namespace shortlink
