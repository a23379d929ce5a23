#include "usage/usage_json.h"

#include "usage/overage.h"

namespace shortlink::admin::usage {

std::string FormatCents(uint64_t cents) {
  std::string text = std::to_string(cents / 100);
  text += cents % 100 < 10 ? ".0" : ".";
  text += std::to_string(cents % 100);
  return text;
}

boost::json::object UsageToJson(Month month, uint64_t requests, uint64_t included, Policy policy) {
  boost::json::object body;
  body["month"] = FormatMonth(month);
  body["requests"] = requests;
  body["included"] = included;
  body["over"] = requests > included ? requests - included : 0;
  body["charge"] = FormatCents(OverageCents(requests, included));
  body["policy"] = PolicyName(policy);
  return body;
}

}  // namespace shortlink::admin::usage
