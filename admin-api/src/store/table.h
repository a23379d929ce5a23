// The tables of admin-api's database: one RocksDB column family per record
// kind, so each kind has its own key space (no prefixes to build or strip),
// its own tuning, and a scan of one kind never reads another's blocks.
// store/db_keys.h says how each table's keys are made.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shortlink::admin {

enum class Table : uint8_t {
  kLinks,            // link key (dbkey::Link) -> link record (EncodeLink)
  kChanges,          // seq, 8 bytes BE -> change-log entry (EncodeChange); append-only
  kUsers,            // user id, 8 bytes BE -> user record
  kEmails,           // email -> user id (8 bytes BE): the email index
  kKeys,             // sha256 of an API key -> key record
  kKeyIds,           // key id, 8 bytes BE -> sha256 of that key
  kMeta,             // name -> 8 bytes BE: counters, the last seq, the schema version
  kClickWatermarks,  // node id -> last click batch applied from it, 8 bytes BE
  // link key -> the link's click total, 8 bytes BE, as of the last fold of
  // kClickLog (links/click_totals.h). Where present it replaces the record's
  // `clicks` (older databases have none: the record holds it).
  kClicks,
  // log record number, 8 bytes BE -> the clicks one commit counted, as a
  // click batch: totals not yet folded into kClicks (links/click_totals.h).
  kClickLog,
  // host (common/validation.h's NormalizeDomain) -> custom domain record
  // (common/domain.h, EncodeDomain). Absent from databases written before
  // domains: Open creates it empty.
  kDomains,
  // team number, 8 bytes BE -> team record (teams/team.h: uuid, site name,
  // members). Absent from databases written before teams: Open creates it
  // empty and teams/ makes each user's personal team at start.
  kTeams,
  // sha256 of an access or refresh token -> token record (tokens/tokens.h).
  // Absent from databases written before tokens: Open creates it empty.
  kTokens,
  // (team, UTC month) -> API requests counted, and team -> quota policy
  // (usage/usage_keys.h). Absent from older databases: Open creates it empty.
  kUsage,
  // campaign id, 8 bytes BE -> campaign record (campaigns/campaign.h).
  // Absent from older databases: Open creates it empty.
  kCampaigns,
  // Click analytics, added to by a merge operator:
  //   'H' link key 0x00 hour(4 BE) -> (dimension, value) -> clicks that hour, packed
  //   'D' link key 0x00 day(4 BE)  -> the same that day (rolled up)
  //   'h' link key 0x00 hour(4 BE) dimension(1) value -> clicks that hour (earlier releases)
  //   'd' link key 0x00 day(4 BE)  dimension(1) value -> clicks that day (earlier releases)
  //   't' team(8 BE) day(4 BE) link key               -> the link's clicks that day
  // (store/analytics_keys.h says why; written by links/click_analytics.h,
  // read and rolled up by analytics/). Absent from older databases: Open
  // creates it empty.
  kAnalytics,
  // webhook id, 8 bytes BE -> subscription, JSON (webhooks/webhook.h).
  // Absent from older databases: Open creates it empty.
  kWebhooks,
  // webhook id, 8 bytes BE | delivery number, 8 bytes BE -> delivery, JSON
  // (webhooks/webhook.h): a webhook's pending deliveries and its last 100
  // finished ones, oldest first. Absent from older databases: Open creates
  // it empty.
  kWebhookDeliveries,
  // team number, 8 bytes BE -> the team's retargeting trackers and consent
  // setting, JSON (trackers/team_trackers.h). Absent from older databases:
  // Open creates it empty.
  kTrackers,
};

inline constexpr size_t kTableCount = 19;

inline constexpr std::array<Table, kTableCount> kAllTables = {
    Table::kLinks,     Table::kChanges,
    Table::kUsers,     Table::kEmails,
    Table::kKeys,      Table::kKeyIds,
    Table::kMeta,      Table::kClickWatermarks,
    Table::kClicks,    Table::kClickLog,
    Table::kDomains,   Table::kTeams,
    Table::kTokens,    Table::kUsage,
    Table::kCampaigns, Table::kAnalytics,
    Table::kWebhooks,  Table::kWebhookDeliveries,
    Table::kTrackers,
};

// Database indexes its column families by Table: kAllTables[i] is Table(i).
constexpr bool TablesInEnumOrder() {
  for (size_t i = 0; i < kTableCount; ++i)
    if (static_cast<size_t>(kAllTables[i]) != i) return false;
  return true;
}
static_assert(TablesInEnumOrder());

// The column family's name on disk. Never rename one: a database written
// before would no longer open.
constexpr std::string_view TableName(Table table) {
  switch (table) {
    case Table::kLinks:
      return "links";
    case Table::kChanges:
      return "changes";
    case Table::kUsers:
      return "users";
    case Table::kEmails:
      return "emails";
    case Table::kKeys:
      return "api_keys";
    case Table::kKeyIds:
      return "api_key_ids";
    case Table::kMeta:
      return "meta";
    case Table::kClickWatermarks:
      return "click_watermarks";
    case Table::kClicks:
      return "clicks";
    case Table::kClickLog:
      return "click_log";
    case Table::kDomains:
      return "domains";
    case Table::kTeams:
      return "teams";
    case Table::kTokens:
      return "tokens";
    case Table::kUsage:
      return "usage";
    case Table::kCampaigns:
      return "campaigns";
    case Table::kAnalytics:
      return "analytics";
    case Table::kWebhooks:
      return "webhooks";
    case Table::kWebhookDeliveries:
      return "webhook_deliveries";
    case Table::kTrackers:
      return "trackers";
  }
  return "";
}

}  // namespace shortlink::admin
