// Schema versions of admin-api's database, and bringing an older one to
// the current version when Database::Open opens it.
//
//   1  (no version recorded) one default column family; a one-letter
//      prefix per record kind: l/<code> c/<seq> u/<id> e/<email> k/<hash>
//      i/<id> m/<name> w/<node>. Written by every release up to c93330b.
//   2  a column family per table (store/table.h); a link's key is
//      (domain, code) (store/db_keys.h). The default column family is empty.
//   3  click analytics also in packed rows, one per (link, hour) and (link,
//      day) (store/analytics_keys.h 'H', 'D'), beside version 2's per-value
//      rows, which stay and are still read: nothing is converted. The
//      version is recorded so that a release before packed rows refuses the
//      database instead of reading those rows as counts of 0.
//
// Upgrading from 1 copies each record into its table, in synced batches,
// then records version 2, then empties the default column family. Until
// the version is recorded the old records are untouched and the tables
// hold only copies of them, so an upgrade cut short (kill -9, power loss)
// is simply done again by the next open: it has either not happened or is
// complete. A database of a newer version than kSchemaVersion is refused.
//
// Thread safety: called once, by Open, before the Database is shared.
#pragma once

#include <rocksdb/db.h>

#include <array>
#include <cstdint>
#include <string>

#include "common/result.h"
#include "store/database.h"
#include "store/table.h"

namespace shortlink::admin {

inline constexpr uint64_t kSchemaVersion = 3;

// `legacy` is the default column family; `tables` the tables' column
// families, indexed by Table.
Status UpgradeSchema(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* legacy,
                     const std::array<rocksdb::ColumnFamilyHandle*, kTableCount>& tables,
                     const std::string& dir, const UpgradeOptions& options);

}  // namespace shortlink::admin
