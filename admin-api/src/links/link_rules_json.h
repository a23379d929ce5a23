// The optional fields of a link (issue 6) in the API's JSON: read from a
// create body, a bulk row or a PATCH body into a LinkPatch, and written into
// a link's answer.
//
//   title                string, at most 200 bytes, no control characters
//   tags                 [string], at most 20 of 1-50 bytes, no control
//                        characters; duplicates (ASCII case-insensitive) dropped
//   hidden               boolean
//   expiresAt            ISO-8601 UTC instant after 1970
//   expiredUrl           URL (as longUrl)
//   maxClicks            integer 1..10^12
//   clickLimitUrl        URL
//   clickType            "ALL" | "UNIQUE"
//   uniqueWindowMinutes  integer 1..kMaxUniqueWindowMinutes
//   password             string of 1..kMaxPasswordBytes bytes (write only)
//   deviceTargets        {ios, android, windows, mobile}: URLs
//   abTargets            [{url, percentage 1..100}], 1..10 of them
//   utm                  {source, medium, campaign, term, content}: 1-100
//                        bytes each, no control characters
//   forwardQuery         boolean
//   redirectType         301 | 302 | 307 | 308
//   campaignId           a campaign id (a whole number, or its digits as a
//                        string, as Shorten World's ids are strings)
//   trackers             [{provider, pixelId} | {teamTrackerId}], at most
//                        kMaxLinkTrackers: retargeting pixels, each id held
//                        to its provider's pattern (common/tracker.h)
//
// A present field replaces the stored one (deviceTargets and utm as whole
// objects), null clears it ("" too for title and password, [] for tags and
// abTargets), an absent one is left as it is.
#pragma once

#include <simdjson.h>

#include <array>
#include <boost/json/object.hpp>
#include <string_view>

#include "common/link.h"
#include "common/validation.h"
#include "links/link_patch.h"

namespace shortlink::admin {

// The keys ParseLinkPatch reads: a create, bulk row or PATCH body takes these
// and its own (longUrl, shortUrl or state), nothing else (OnlyKnownFields).
inline constexpr std::array<std::string_view, 17> kLinkPatchFields = {
    "title",         "tags",          "hidden",    "expiresAt",           "expiredUrl",
    "maxClicks",     "clickLimitUrl", "clickType", "uniqueWindowMinutes", "password",
    "deviceTargets", "abTargets",     "utm",       "forwardQuery",        "redirectType",
    "campaignId",    "trackers"};

// One tracker object of a request ({provider, pixelId} or {teamTrackerId});
// `name` says where it is, for the messages. Shared with trackers/.
Result<PatchTracker> ParseTrackerObject(const simdjson::dom::element& value,
                                        const std::string& name);
// A tracker as answered: {"provider", "pixelId"}.
boost::json::object TrackerToJson(const LinkTracker& tracker);

// Each field of `obj` on its own: its JSON type, range, URL rules (as
// longUrl's, with `policy`), and no unknown keys inside deviceTargets, utm
// and the abTargets entries; A/B percentages must sum to 100. 400 with a
// message naming the field otherwise. Other keys of `obj` are not looked at.
// Checks across fields need the whole link: CheckLinkRules.
Result<LinkPatch> ParseLinkPatch(const simdjson::dom::object& obj, const UrlPolicy& policy);

// Adds to `out` each of these fields that `link` sets (booleans when true,
// clickType when UNIQUE), in the order above; a link that sets none leaves
// `out` as it was, so old clients see nothing new. The password hash never
// leaves: "passwordProtected": true stands for it.
void AppendLinkFieldsJson(const Link& link, boost::json::object* out);

}  // namespace shortlink::admin
