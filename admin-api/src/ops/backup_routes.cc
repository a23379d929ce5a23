// POST /api/v1/backups: a checkpoint of admin-api's RocksDB, taken while it
// serves (store/checkpoint.cc), into a new directory of OpsApi::backup_dir
// named by its UTC time. Site admins only; anyone else gets the 404 of a
// route that does not exist, as POST /api/v1/users answers them.
//
// Why over the API and not a command: RocksDB's lock keeps every other
// process off the database while admin-api runs, and a checkpoint needs
// the database open. A stopped admin-api's data dir is a backup as it is
// (cp -a). Restore: docs/operations.md.
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>

#include "auth/access.h"
#include "common/clock.h"
#include "common/log.h"
#include "http/json_input.h"
#include "ops/ops_routes.h"

namespace shortlink::admin {
namespace {

// "2026-12-07T06:22:33.123Z" -> "20261207T062233.123Z": a directory name
// that sorts by time and needs no quoting in a shell.
std::string BackupName(int64_t now_ms) {
  std::string name;
  for (char c : FormatIso8601Millis(now_ms))
    if (c != '-' && c != ':') name += c;
  return name;
}

Awaitable CreateBackup(OpsApi& ctx, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kBackUpDatabase))
    co_return rc.Error(ErrorCode::kNotFound, "Not found.");
  // No options yet: an empty body or {}, and a field sent is refused by name.
  if (!rc.req.body().empty()) {
    auto obj = ParseJsonObject(rc.req.body());
    if (!obj.ok()) co_return rc.Error(obj.error());
    if (Status known = OnlyKnownFields(*obj, {}); !known.ok()) co_return rc.Error(known.error());
  }
  if (ctx.db == nullptr || ctx.backup_dir.empty())
    co_return rc.Error(ErrorCode::kUnavailable, "Backups are not available on this server.");

  // One at a time; each blocks this I/O thread for the flush (ms to ~1 s),
  // the others go on serving.
  std::lock_guard lock(ctx.backup_mutex);
  auto started = std::chrono::steady_clock::now();
  int64_t now = NowMillis();
  std::error_code ec;
  std::filesystem::create_directories(ctx.backup_dir, ec);
  if (ec) {
    LogError("backup failed", {{"dir", ctx.backup_dir}, {"detail", ec.message()}});
    co_return rc.Error(ErrorCode::kUnavailable, "The backup directory cannot be made.");
  }
  std::string name = BackupName(now);
  std::string path = (std::filesystem::path(ctx.backup_dir) / name).string();
  uint64_t sequence = 0;
  if (Status s = ctx.db->Checkpoint(path, &sequence); !s.ok()) co_return rc.Error(s.error());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  LogInfo("backup made",
          {{"path", path}, {"sequence", std::to_string(sequence)}, {"ms", std::to_string(ms)}});
  boost::json::object body;
  body["name"] = name;
  body["path"] = path;
  body["sequence"] = sequence;
  body["createdAt"] = FormatIso8601Millis(now);
  body["durationMs"] = ms;
  co_return rc.Json(http::status::created, boost::json::serialize(body));
}

}  // namespace

void RegisterBackupRoutes(Router& router, OpsApi& api) {
  router.Add({http::verb::post, "/api/v1/backups", Auth::kApiKey, Bind(api, CreateBackup)});
}

}  // namespace shortlink::admin
