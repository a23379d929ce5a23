#include "domains/domain_input.h"

#include <charconv>

#include "http/json_input.h"

namespace shortlink::admin {
namespace {

constexpr std::string_view kCreateFields[] = {"host", "rootRedirect", "notFoundUrl"};
constexpr std::string_view kUpdateFields[] = {"rootRedirect", "notFoundUrl"};

// A URL field: absent (nullopt), cleared ("" or null: an empty string), or
// a URL that passes the checks of a link's target.
Result<std::optional<std::string>> UrlField(const simdjson::dom::object& obj, std::string_view name,
                                            const UrlPolicy& policy) {
  simdjson::dom::element value;
  if (obj[name].get(value)) return std::optional<std::string>();
  if (value.is_null()) return std::optional<std::string>(std::string());
  auto text = OptionalString(obj, name);
  if (!text.ok()) return text.error();
  if ((*text)->empty()) return text;
  if (Status valid = ValidateLongUrl(**text, policy); !valid.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(name) + ": " + valid.error().message);
  }
  return text;
}

}  // namespace

Result<std::string> NormalizeDomainHost(std::string_view host, const UrlPolicy& policy) {
  // A port is not part of a host name: "go.example.com:443" names the host.
  if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = host.substr(colon + 1);
    bool digits = !port.empty() && port.size() <= 5 &&
                  port.find_first_not_of("0123456789") == std::string_view::npos;
    if (digits) host = host.substr(0, colon);
  }
  auto normalized = NormalizeDomain(host);
  if (!normalized.ok()) return normalized;
  if (!policy.own_host.empty() && *normalized == policy.own_host) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "domain " + *normalized +
                         " is the default domain: its links are those created without a domain.");
  }
  return normalized;
}

Result<DomainFields> ParseDomainBody(const simdjson::dom::object& obj, const UrlPolicy& policy,
                                     bool create) {
  Status known = create ? OnlyKnownFields(obj, kCreateFields) : OnlyKnownFields(obj, kUpdateFields);
  if (!known.ok()) return known.error();
  DomainFields fields;
  if (create) {
    auto host = OptionalString(obj, "host");
    if (!host.ok()) return host.error();
    if (!*host) return MakeError(ErrorCode::kInvalidArgument, "host is required.");
    auto normalized = NormalizeDomainHost(**host, policy);
    if (!normalized.ok()) return normalized.error();
    fields.host = std::move(normalized).value();
  }
  auto root = UrlField(obj, "rootRedirect", policy);
  if (!root.ok()) return root.error();
  fields.root_redirect = std::move(root).value();
  auto not_found = UrlField(obj, "notFoundUrl", policy);
  if (!not_found.ok()) return not_found.error();
  fields.not_found_url = std::move(not_found).value();
  if (!create && !fields.root_redirect && !fields.not_found_url) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Nothing to update: give rootRedirect or notFoundUrl.");
  }
  return fields;
}

}  // namespace shortlink::admin
