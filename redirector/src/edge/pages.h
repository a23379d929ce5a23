// EdgePages: the pages a person sees at the edge, as whole response bodies.
//
//   404  no such link (or an inactive one)
//   410  expired, or its click limit reached, with nowhere else to go
//   200  the password form; 401 after a wrong password; 429 after too many
//
// Ours are one small, accessible HTML set sharing one layout: lang,
// charset, viewport, a title, a visible heading, content in <main>, a label
// for the input, a role="alert" message for what went wrong, and one tiny
// inline <style>; no script and nothing loaded from anywhere, so the
// responder sends them with kBuiltInPagePolicy.
//
// The operator may replace each (redirector --not-found-page, --gone-page,
// --password-page): a 404 page is served as it is; a gone page's
// "{{reason}}", where present, becomes the reason ("This link has
// expired."); a password page must hold "{{form}}", where the form (label,
// input, button and the message) goes. Every body, once built, is at most
// kMaxPageBytes, so that any page answer fits kMaxResponseBytes. Nothing
// from a request ever goes into a page.
//
// Built once at start-up; the responder only copies the bodies. Thread
// safety: const methods from any thread; the setters before sharing.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace shortlink::redirector {

enum class Page {
  kNotFound,
  kExpired,
  kClickLimit,
  kPasswordForm,     // 200
  kPasswordWrong,    // 401
  kPasswordTooMany,  // 429
};
inline constexpr size_t kPageKinds = 6;

inline constexpr size_t kMaxPageBytes = 4096;  // one page's body, as sent

// The Content-Security-Policy our pages are sent with: nothing but their
// own inline style, never framed. form-action also governs the redirect
// that answers the form's POST (Chromium refuses a 303 to another origin
// under form-action 'self'), so it allows the page's origin and https:,
// the only scheme a target may have. Operators' pages get none (they may
// load their own style sheet or logo).
inline constexpr std::string_view kBuiltInPagePolicy =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https:; "
    "frame-ancestors 'none'; base-uri 'none'";

// The markers an operator's page may (gone) or must (password) hold.
inline constexpr std::string_view kReasonMarker = "{{reason}}";
inline constexpr std::string_view kFormMarker = "{{form}}";

class EdgePages {
 public:
  EdgePages();  // ours, for every page

  // Replace ours with the operator's page; an error (too large, no
  // {{form}}) leaves ours in place and says why.
  Status SetNotFound(std::string_view html);
  Status SetGone(std::string_view html);
  Status SetPassword(std::string_view html);

  std::string_view body(Page page) const { return bodies_[Index(page)]; }
  // Ours (sent with kBuiltInPagePolicy), or the operator's.
  bool built_in(Page page) const { return built_in_[Index(page)]; }

 private:
  static size_t Index(Page page) { return static_cast<size_t>(page); }

  std::array<std::string, kPageKinds> bodies_;
  std::array<bool, kPageKinds> built_in_{};
};

}  // namespace shortlink::redirector
