// Responder options for tests: a redirect status, where "/" goes, and a 404
// page of the test's own (its text is what the tests look for).
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "edge/responder.h"

namespace shortlink::redirector::testing {

inline ResponderOptions WithNotFoundPage(int redirect_status, std::string home_url,
                                         std::string_view not_found_html) {
  ResponderOptions options;
  options.redirect_status = redirect_status;
  options.home_url = std::move(home_url);
  REQUIRE(options.pages.SetNotFound(not_found_html).ok());
  return options;
}

}  // namespace shortlink::redirector::testing
