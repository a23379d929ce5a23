#include "device_class_rules.h"

#include <algorithm>
#include <initializer_list>

namespace shortlink::classify {
namespace {

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

bool ContainsAny(std::string_view s, std::initializer_list<std::string_view> parts) {
  return std::any_of(parts.begin(), parts.end(),
                     [s](std::string_view p) { return Contains(s, p); });
}

bool IsAnyOf(std::string_view s, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

bool EndsWithIgnoringCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  s = s.substr(s.size() - suffix.size());
  return std::equal(s.begin(), s.end(), suffix.begin(), [](char a, char b) {
    return (a >= 'A' && a <= 'Z' ? a + ('a' - 'A') : a) == b;
  });
}

}  // namespace

// The rules, first match wins. uap-core names agents, OSes and devices but
// has no device class, so the class comes from those names and, where
// uap's names cannot tell (a tablet and a phone of the same Android OS),
// from tokens browsers put in the string for that purpose.
//
//   bot      uap's device family "Spider" (its device list recognizes
//            crawlers, link previewers and monitors), or an agent family
//            ending in "bot", "spider" or "crawler" (any case).
//   tablet   a device family or model naming a tablet: iPad, Kindle, "Tab"
//            (Galaxy Tab, "Tablet"), Nexus 7/9/10, Samsung's SM-T models,
//            PlayBook; the Kindle OS or the Silk browser; BlackBerry Tablet
//            OS; a "Tablet;" token (Firefox for Android tablets).
//   mobile   iPhone and iPod; Opera Mini; uap's generic feature phones.
//   tablet   Android in a browser ("Mozilla/") without the "Mobile" token:
//            Chrome's convention, which Google documents as the way to
//            tell Android tablets. Apps' own agents (Dalvik/...) lack both,
//            and stay phones below.
//   mobile   the OS of a phone: iOS, Android, Windows Phone, Windows
//            Mobile, Windows CE, BlackBerry OS, KaiOS, Firefox OS, Symbian,
//            Nokia Series 30/40, Bada, BREW, Maemo, MeeGo, Sailfish, webOS
//            (Palm's; LG's TV OS is Web0S), Tizen with "Mobile"; uap's
//            "Generic Smartphone".
//   desktop  Windows (the rest), Mac OS X, Chrome OS, Linux and its
//            distributions, the BSDs, Solaris.
//   other    the rest: TVs (Roku, Chromecast, Web0S, HbbTV), consoles,
//            watches, tvOS, and tools with no OS such as curl or Python.
//
// iPadOS 13+ sends Safari's Mac agent by default, so those iPads count as
// desktops: nothing in the string tells them apart.
DeviceClass DeviceClassOf(const UapResult& uap, std::string_view user_agent) {
  const std::string& agent = uap.agent.family;
  const std::string& os = uap.os.family;
  const std::string& device = uap.device.family;
  const std::string& model = uap.device.model;

  if (device == "Spider" || EndsWithIgnoringCase(agent, "bot") ||
      EndsWithIgnoringCase(agent, "spider") || EndsWithIgnoringCase(agent, "crawler")) {
    return DeviceClass::kBot;
  }
  if (ContainsAny(device,
                  {"iPad", "Kindle", "Tab", "Nexus 7", "Nexus 9", "Nexus 10", "PlayBook"}) ||
      ContainsAny(model, {"iPad", "Kindle", "Tab"}) || model.starts_with("SM-T") ||
      os == "Kindle" || os == "BlackBerry Tablet OS" ||
      ContainsAny(user_agent, {"Silk/", "Tablet;"})) {
    return DeviceClass::kTablet;
  }
  if (device.starts_with("iPhone") || device.starts_with("iPod") ||
      agent.starts_with("Opera Mini") || device == "Generic Feature Phone") {
    return DeviceClass::kMobile;
  }
  if (os == "Android" && Contains(user_agent, "Mozilla/") && !Contains(user_agent, "Mobile")) {
    return DeviceClass::kTablet;
  }
  if (IsAnyOf(os,
              {"iOS", "Android", "Windows Phone", "Windows Mobile", "Windows CE", "WindowsCE",
               "BlackBerry OS", "KaiOS", "Firefox OS", "Nokia Series 30 Plus", "Nokia Series 40",
               "Bada", "BREW", "Brew MP", "Maemo", "MeeGo", "Sailfish", "webOS"}) ||
      os.starts_with("Symbian") || (os == "Tizen" && Contains(user_agent, "Mobile")) ||
      agent == "Opera Mobile" || device == "Generic Smartphone") {
    return DeviceClass::kMobile;
  }
  if (os.starts_with("Windows") || os.starts_with("Mac OS") ||
      IsAnyOf(os,
              {"Chrome OS", "Linux",      "Ubuntu",   "Kubuntu", "Fedora",    "Debian",    "CentOS",
               "Gentoo",    "Linux Mint", "Mandriva", "Red Hat", "Slackware", "PCLinuxOS", "Puppy",
               "FreeBSD",   "OpenBSD",    "NetBSD",   "BSD",     "Solaris",   "SerenityOS"})) {
    return DeviceClass::kDesktop;
  }
  return DeviceClass::kOther;
}

}  // namespace shortlink::classify
