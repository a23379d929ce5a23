#include "common/validation.h"

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/src.hpp>  // Boost.URL is header-only in 1.81: compiled once, here

namespace shortlink {
namespace {

// Paths the deployment needs for itself, and words that would confuse
// people if they were someone's link.
constexpr std::array<std::string_view, 22> kReserved = {
    "api",    "admin",    "healthz", "metrics", "login",   "logout", "static",   "assets",
    "docs",   "internal", "auth",    "oauth",   "signup",  "signin", "settings", "dashboard",
    "status", "help",     "about",   "robots",  "favicon", "www",
};

bool IsCodeChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

Status Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool IsSameOrSubdomain(std::string_view host, std::string_view domain) {
  if (domain.empty()) return false;
  if (host == domain) return true;
  return host.size() > domain.size() && host.substr(host.size() - domain.size()) == domain &&
         host[host.size() - domain.size() - 1] == '.';
}

}  // namespace

bool IsReservedCode(std::string_view code) {
  return std::find(kReserved.begin(), kReserved.end(), code) != kReserved.end();
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
  static const std::vector<std::string> hosts = {
      "bit.ly",    "bitly.com", "tinyurl.com", "t.co",          "goo.gl",       "ow.ly",
      "is.gd",     "v.gd",      "buff.ly",     "rebrand.ly",    "cutt.ly",      "shorturl.at",
      "tiny.cc",   "bl.ink",    "go.gov.sg",   "s.id",          "t.ly",         "rb.gy",
      "shorte.st", "adf.ly",    "lnkd.in",     "db.tt",         "qr.ae",        "bit.do",
      "po.st",     "soo.gd",    "clck.ru",     "u.to",          "x.co",         "tr.im",
      "mcaf.ee",   "su.pr",     "youtu.be",    "amzn.to",       "fb.me",        "wp.me",
      "trib.al",   "dlvr.it",   "ift.tt",      "lnkd.in",       "short.io",     "shorturl.com",
      "tiny.one",  "gg.gg",     "urlzs.com",   "shorten.world", "gogoworx.com",
  };
  return hosts;
}

std::string HostOf(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_authority()) return "";
  return Lower(parsed->encoded_host());
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
  if (Lower(url.substr(0, 8)) != "https://") return Invalid("longUrl must start with https://");
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Invalid("longUrl is not a valid URL.");
  if (parsed->has_userinfo()) return Invalid("longUrl must not contain a user name or password.");
  if (parsed->host_type() != boost::urls::host_type::name) {
    return Invalid("longUrl must name a host (an IP address is not allowed).");
  }
  std::string host = Lower(parsed->encoded_host());
  if (!host.empty() && host.back() == '.') host.pop_back();  // "example.com." is example.com
  auto dot = host.rfind('.');
  std::string_view tld =
      dot == std::string::npos ? std::string_view() : std::string_view(host).substr(dot + 1);
  bool tld_ok = tld.size() >= 2 &&
                std::all_of(tld.begin(), tld.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  bool labels_ok =
      host.find("..") == std::string::npos && host.front() != '.' &&
      std::all_of(host.begin(), host.end(), [](char c) { return IsCodeChar(c) || c == '.'; });
  if (!tld_ok || !labels_ok || host.find('%') != std::string::npos) {
    return Invalid(
        "longUrl must have a valid host name with a top-level domain (like example.com).");
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
