#include "edge/pages.h"

#include <utility>

#include "rules/rule_engine.h"

namespace shortlink::redirector {
namespace {

// One layout for every page. Colours pass WCAG AA contrast on white (text
// 15:1, the button 6.3:1, the alert 7.6:1); the browser's focus ring is
// left alone. The robots meta repeats X-Robots-Tag for saved copies.
constexpr std::string_view kStyle =
    "body{margin:0;font:1.125rem/1.5 system-ui,sans-serif;color:#1f2328;background:#fff}"
    "main{max-width:32rem;margin:3rem auto;padding:0 1rem}"
    "h1{font-size:1.5rem;line-height:1.25}"
    "label{display:block;font-weight:600;margin:1rem 0 .25rem}"
    "input{font:inherit;width:100%;box-sizing:border-box;padding:.5rem;"
    "border:1px solid #57606a;border-radius:4px}"
    "button{font:inherit;margin-top:.75rem;padding:.5rem 1.25rem;color:#fff;"
    "background:#0b57d0;border:0;border-radius:4px}"
    "[role=alert]{color:#a40e26;font-weight:600}";

std::string Layout(std::string_view title, std::string_view content) {
  std::string page;
  page += "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">";
  page += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">";
  page += "<meta name=\"robots\" content=\"noindex\"><title>";
  page += title;
  page += "</title><style>";
  page += kStyle;
  page += "</style></head><body><main><h1>";
  page += title;
  page += "</h1>";
  page += content;
  page += "</main></body></html>\n";
  return page;
}

std::string Paragraph(std::string_view text) { return "<p>" + std::string(text) + "</p>"; }

// The form, with the message of a failed attempt above the field. No
// action: it posts to the URL it came from, query string included (for
// forwardQuery); nothing from the request is echoed into it.
std::string PasswordForm(std::string_view message) {
  std::string form = "<form method=\"post\">";
  if (!message.empty()) form += "<p role=\"alert\">" + std::string(message) + "</p>";
  form +=
      "<label for=\"password\">Password</label>"
      "<input type=\"password\" id=\"password\" name=\"password\" "
      "autocomplete=\"current-password\" autofocus required>"
      "<button type=\"submit\">Open link</button></form>";
  return form;
}

constexpr std::string_view kWrongPassword = "Wrong password. Try again.";
constexpr std::string_view kTooManyTries =
    "Too many wrong attempts. Wait a minute, then try again.";

// Every occurrence of `marker` in `html` replaced by `value`.
std::string ReplaceAll(std::string_view html, std::string_view marker, std::string_view value) {
  std::string out;
  for (;;) {
    size_t at = html.find(marker);
    out += html.substr(0, at);
    if (at == std::string_view::npos) return out;
    out += value;
    html.remove_prefix(at + marker.size());
  }
}

Status CheckSize(const std::string& body, std::string_view what) {
  if (body.size() <= kMaxPageBytes) return Status::Ok();
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string(what) + " is " + std::to_string(body.size()) + " bytes; at most " +
                       std::to_string(kMaxPageBytes) + " are sent");
}

}  // namespace

EdgePages::EdgePages() {
  auto set = [&](Page page, std::string body) {
    bodies_[Index(page)] = std::move(body);
    built_in_[Index(page)] = true;
  };
  set(Page::kNotFound, Layout("Link not found",
                              Paragraph("This short link does not exist or is no longer active.")));
  for (auto [page, reason] : {std::pair{Page::kExpired, GoneReason::kExpired},
                              std::pair{Page::kClickLimit, GoneReason::kClickLimit}}) {
    set(page, Layout("Link no longer available", Paragraph(GoneReasonText(reason))));
  }
  constexpr std::string_view kAsk = "<p>This link is protected by a password.</p>";
  set(Page::kPasswordForm, Layout("Password required", std::string(kAsk) + PasswordForm("")));
  set(Page::kPasswordWrong,
      Layout("Password required", std::string(kAsk) + PasswordForm(kWrongPassword)));
  set(Page::kPasswordTooMany,
      Layout("Password required", std::string(kAsk) + PasswordForm(kTooManyTries)));
}

Status EdgePages::SetNotFound(std::string_view html) {
  std::string body(html);
  if (Status s = CheckSize(body, "the page"); !s.ok()) return s;
  bodies_[Index(Page::kNotFound)] = std::move(body);
  built_in_[Index(Page::kNotFound)] = false;
  return Status::Ok();
}

Status EdgePages::SetGone(std::string_view html) {
  std::string expired = ReplaceAll(html, kReasonMarker, GoneReasonText(GoneReason::kExpired));
  std::string limit = ReplaceAll(html, kReasonMarker, GoneReasonText(GoneReason::kClickLimit));
  for (const std::string* body : {&expired, &limit}) {
    if (Status s = CheckSize(*body, "the page, with its reason in"); !s.ok()) return s;
  }
  bodies_[Index(Page::kExpired)] = std::move(expired);
  bodies_[Index(Page::kClickLimit)] = std::move(limit);
  built_in_[Index(Page::kExpired)] = built_in_[Index(Page::kClickLimit)] = false;
  return Status::Ok();
}

Status EdgePages::SetPassword(std::string_view html) {
  if (html.find(kFormMarker) == std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "the page must hold the marker " +
                                                      std::string(kFormMarker) +
                                                      ", where the password form goes");
  }
  std::array<std::string, 3> bodies = {ReplaceAll(html, kFormMarker, PasswordForm("")),
                                       ReplaceAll(html, kFormMarker, PasswordForm(kWrongPassword)),
                                       ReplaceAll(html, kFormMarker, PasswordForm(kTooManyTries))};
  for (const std::string& body : bodies) {
    if (Status s = CheckSize(body, "the page, with the form in"); !s.ok()) return s;
  }
  Page pages[] = {Page::kPasswordForm, Page::kPasswordWrong, Page::kPasswordTooMany};
  for (size_t i = 0; i < bodies.size(); ++i) {
    bodies_[Index(pages[i])] = std::move(bodies[i]);
    built_in_[Index(pages[i])] = false;
  }
  return Status::Ok();
}

}  // namespace shortlink::redirector
