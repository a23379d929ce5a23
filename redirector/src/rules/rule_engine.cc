#include "rules/rule_engine.h"

#include "rules/device_detector.h"

namespace shortlink::redirector {
namespace {

std::string_view TrimSpaces(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

std::string_view DeviceTarget(const DeviceTargets& targets, std::string_view user_agent) {
  if (targets.empty()) return {};
  std::string_view specific;
  switch (DetectDevice(user_agent)) {
    case Device::kDesktop:
      return {};
    case Device::kIos:
      specific = targets.ios;
      break;
    case Device::kAndroid:
      specific = targets.android;
      break;
    case Device::kWindowsPhone:
      specific = targets.windows;
      break;
    case Device::kOtherMobile:
      break;
  }
  return specific.empty() ? std::string_view(targets.mobile) : specific;
}

std::string_view AbTargetFor(const std::vector<AbTarget>& targets, int bucket) {
  uint32_t cumulative = 0;
  for (const AbTarget& t : targets) {
    cumulative += t.percentage;
    if (static_cast<uint32_t>(bucket) < cumulative) return t.url;
  }
  return targets.back().url;  // unreachable when percentages sum to 100
}

// FNV-1a over the parts, then a final mix: the visitor's key for unique clicks.
uint64_t VisitorKey(const Visit& visit) {
  uint64_t h = 0xcbf29ce484222325ull;
  auto add = [&h](std::string_view part) {
    for (unsigned char c : part) h = (h ^ c) * 0x100000001b3ull;
    h = (h ^ 0xff) * 0x100000001b3ull;  // a separator, so "ab"+"c" != "a"+"bc"
  };
  add(visit.code);
  add(visit.client_address);
  add(visit.user_agent);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

}  // namespace

int AbBucketFromCookie(std::string_view cookie) {
  while (!cookie.empty()) {
    size_t semi = cookie.find(';');
    std::string_view pair = TrimSpaces(cookie.substr(0, semi));
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == kAbCookieName) {
      std::string_view value = pair.substr(eq + 1);
      if (value.empty() || value.size() > 2) return -1;
      int bucket = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return -1;
        bucket = bucket * 10 + (c - '0');
      }
      return bucket;
    }
    if (semi == std::string_view::npos) break;
    cookie.remove_prefix(semi + 1);
  }
  return -1;
}

std::string_view GoneReasonText(GoneReason reason) {
  return reason == GoneReason::kClickLimit ? "This link has reached its click limit."
                                           : "This link has expired.";
}

RuleDecision EvaluateRules(const EdgeRules& edge, std::string_view long_url, const Visit& visit,
                           VisitorFilter* visitors) {
  const LinkRules& r = edge.rules;
  RuleDecision d;
  if (r.expires_at_ms != 0 && visit.now_ms >= r.expires_at_ms) {
    d.gone_reason = GoneReason::kExpired;
    if (r.expired_url.empty()) {
      d.action = RuleAction::kGone;
    } else {
      d.target = r.expired_url;
      d.status = 302;  // the owner may extend the link: never a permanent redirect
    }
    return d;
  }
  if (edge.LimitReached()) {
    d.gone_reason = GoneReason::kClickLimit;
    if (r.click_limit_url.empty()) {
      d.action = RuleAction::kGone;
    } else {
      d.target = r.click_limit_url;
      d.status = 302;
    }
    return d;
  }
  if (!r.password_hash.empty() && visit.password != PasswordState::kAccepted) {
    d.action = RuleAction::kPasswordForm;
    return d;
  }

  d.destination = true;
  d.status = r.redirect_type;
  // After a password form's POST, 303 makes every browser follow with GET.
  if (visit.password == PasswordState::kAccepted && visit.method == VisitMethod::kPost)
    d.status = 303;
  d.target = DeviceTarget(r.devices, visit.user_agent);
  if (d.target.empty() && !r.ab_targets.empty()) {
    int bucket = AbBucketFromCookie(visit.cookie);
    if (bucket < 0 || bucket > 99) {
      bucket = static_cast<int>(visit.random % 100);
      d.ab_bucket = bucket;
    }
    d.target = AbTargetFor(r.ab_targets, bucket);
  }
  if (d.target.empty()) d.target = long_url;

  UniqueVisitor unique;
  if (r.click_type == ClickType::kUnique)
    unique = {visitors, VisitorKey(visit), visit.now_ms / 60000, r.unique_window()};
  d.counted = CountVisit(VisitEnd::kDestination, visit.method, visit.user_agent,
                         r.click_type == ClickType::kUnique ? &unique : nullptr);
  if (d.counted == VisitCount::kClick && r.max_clicks != 0)
    edge.local_clicks.fetch_add(1, std::memory_order_relaxed);
  return d;
}

}  // namespace shortlink::redirector
