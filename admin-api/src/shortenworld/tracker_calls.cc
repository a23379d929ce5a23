#include "shortenworld/tracker_calls.h"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <optional>

namespace shortlink::admin::shortenworld {
namespace {

using boost::beast::http::verb;
using boost::json::array;
using boost::json::object;

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::optional<uint64_t> WholeOf(std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// One entry of teamTrackers: a team tracker's id, as a number or its digits.
std::optional<uint64_t> TeamTrackerIdOf(const boost::json::value& v) {
  if (v.is_int64() && v.as_int64() > 0) return static_cast<uint64_t>(v.as_int64());
  if (v.is_uint64() && v.as_uint64() > 0) return v.as_uint64();
  if (v.is_string()) {
    std::optional<uint64_t> id = WholeOf(v.as_string());
    if (id && *id > 0) return id;
  }
  return std::nullopt;
}

bool IsAllTrackers(const boost::json::value& v) {
  return v.is_string() && v.as_string() == kAllTeamTrackers;
}

}  // namespace

InnerCall ProviderListCall() { return {verb::get, "/api/v1/trackers/providers", {}, {}}; }

Result<InnerCall> TeamTrackerListCall(const Params& params) {
  auto team = params.Required("teamId");
  if (!team.ok()) return team.error();
  auto page = PageOf(params);
  if (!page.ok()) return page.error();
  return InnerCall{verb::get,
                   "/api/v1/teams/" + PercentEncode(*team) + "/trackers?page=" +
                       std::to_string(page->page) + "&size=" + std::to_string(page->size),
                   {},
                   {}};
}

InnerCall ReadLinkCall(const LinkId& link) { return {verb::get, LinkTarget(link), {}, {}}; }

std::string FormatLinkTrackerId(const LinkId& link, size_t position) {
  return FormatLinkId(link.code, link.domain) + ":" + std::to_string(position);
}

Result<LinkTrackerId> LinkTrackerIdOf(const Params& params) {
  auto text = params.Required("linkTrackerId");
  if (!text.ok()) return text.error();
  const Error bad = Invalid(
      "linkTrackerId must be <linkId>:<position> as the link tracker list answers it (or the "
      "position, from 0, with linkId).");
  size_t colon = text->rfind(':');
  std::string_view position = *text;
  LinkTrackerId id;
  if (colon == std::string::npos) {
    auto link = LinkIdOf(params);
    if (!link.ok()) return link.error();
    id.link = std::move(link).value();
  } else {
    auto link = ParseLinkId(std::string_view(*text).substr(0, colon));
    if (!link.ok()) return bad;
    id.link = std::move(link).value();
    position = std::string_view(*text).substr(colon + 1);
  }
  std::optional<uint64_t> at = WholeOf(position);
  if (!at) return bad;
  id.position = *at;
  return id;
}

Result<TrackerAddition> TrackerAdditionOf(const Params& params) {
  auto type = params.Whole("type");
  if (!type.ok()) return type.error();
  if (!*type || (**type != 0 && **type != 1))
    return Invalid(
        "type is required: 0 (trackerId and code: a provider and its pixel id) or 1 "
        "(teamTrackers: team tracker ids, or \"all-trackers\").");
  TrackerAddition addition;
  auto team = params.String("teamId");
  if (!team.ok()) return team.error();
  addition.team = team->value_or("");
  if (**type == 0) {
    auto provider = params.Required("trackerId");
    if (!provider.ok()) return provider.error();
    auto pixel = params.Required("code");
    if (!pixel.ok()) return pixel.error();
    // Checked against the provider's pattern by the link's PATCH.
    addition.trackers.push_back(object{{"provider", *provider}, {"pixelId", *pixel}});
    return addition;
  }
  const boost::json::value* given = params.Raw("teamTrackers");
  const Error bad = Invalid(
      "teamTrackers is required with type 1: an array of team tracker ids (the team tracker "
      "list's ids), or \"all-trackers\".");
  if (!given) return bad;
  if (IsAllTrackers(*given) ||
      (given->is_array() && given->as_array().size() == 1 && IsAllTrackers(given->as_array()[0]))) {
    if (addition.team.empty())
      return Invalid("teamId is required to copy all-trackers: the team whose trackers to copy.");
    addition.all_team_trackers = true;
    return addition;
  }
  if (!given->is_array() || given->as_array().empty()) return bad;
  for (const boost::json::value& v : given->as_array()) {
    std::optional<uint64_t> id = TeamTrackerIdOf(v);
    if (!id) return bad;
    addition.trackers.push_back(object{{"teamTrackerId", *id}});
  }
  return addition;
}

array AllTeamTrackers(const object& team_list) {
  array out;
  auto items = team_list.find("items");
  if (items == team_list.end() || !items->value().is_array()) return out;
  for (const boost::json::value& item : items->value().as_array()) {
    if (!item.is_object()) continue;
    auto id = item.as_object().find("id");
    if (id != item.as_object().end() && TeamTrackerIdOf(id->value()))
      out.push_back(object{{"teamTrackerId", id->value()}});
  }
  return out;
}

array LinkTrackersOf(const object& link) {
  array out;
  auto trackers = link.find("trackers");
  if (trackers == link.end() || !trackers->value().is_array()) return out;
  for (const boost::json::value& t : trackers->value().as_array())
    if (t.is_object()) out.push_back(t);
  return out;
}

InnerCall SetTrackersCall(const LinkId& link, array trackers, std::string team) {
  object body;
  body["trackers"] = std::move(trackers);
  return {verb::patch, LinkTarget(link), boost::json::serialize(body), std::move(team)};
}

array LinkTrackerAnswers(const LinkId& link, const array& trackers) {
  array out;
  for (size_t i = 0; i < trackers.size(); ++i) {
    object answer;
    answer["id"] = FormatLinkTrackerId(link, i);
    answer["position"] = i;
    if (trackers[i].is_object())
      for (const auto& [key, value] : trackers[i].as_object()) answer[key] = value;
    out.push_back(std::move(answer));
  }
  return out;
}

}  // namespace shortlink::admin::shortenworld
