// What several admin-api tests need: a LinkService over a fresh database,
// mutations that must succeed, the change log as written, and the codes of
// a list result in order.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/change.h"
#include "common/metrics.h"
#include "links/link_commands.h"
#include "links/link_index.h"
#include "links/link_service.h"
#include "nodes/change_log.h"
#include "store/database.h"
#include "support/temp_dir.h"

namespace shortlink::testing {

// Submits `mutations` as one group and requires each to succeed; returns
// when all are durable.
inline void SubmitOk(admin::LinkService* service, std::vector<admin::Mutation> mutations) {
  for (const auto& result : service->SubmitAndWait(std::move(mutations))) {
    REQUIRE(result.status.ok());
  }
}

// A LinkService (no change listener) over the database in `dir`, for as long as it
// lives: a second one over the same directory, once the first is gone, is a
// restart.
struct ServiceOn {
  explicit ServiceOn(const std::string& dir,
                     admin::Database::Use use = admin::Database::Use::kServing)
      : db(std::move(admin::Database::Open(dir, use)).value()),
        service(std::move(admin::LinkService::Start(db.get(), &index, &metrics)).value()) {}

  admin::MutationResult One(admin::Mutation m) {
    std::vector<admin::Mutation> ms;
    ms.push_back(std::move(m));
    return service->SubmitAndWait(std::move(ms))[0];
  }

  MetricsRegistry metrics;
  std::unique_ptr<admin::Database> db;
  admin::LinkIndex index;
  std::unique_ptr<admin::LinkService> service;
};

// A base of its own, so that the directory is made before the ServiceOn
// base opens it and removed after that base closes it.
struct FreshDir {
  TempDir dir;
};

// A ServiceOn over a fresh temporary directory.
struct ServiceFixture : FreshDir, ServiceOn {
  ServiceFixture() : ServiceOn(dir.path()) {}

  // What the link and area handlers reach, over this service: the API tests'
  // LinkApi (team ids shown as "team-N").
  admin::LinkApi LinkApiWith(admin::PasswordHasher* hasher) {
    admin::LinkApi api;
    api.index = &index;
    api.links = service.get();
    api.hasher = hasher;
    api.url_policy = UrlPolicy{"go.example", DefaultShortenerBlocklist()};
    api.team_id = [](uint64_t team) { return "team-" + std::to_string(team); };
    return api;
  }
};

// Every change in the database's change log, in order; none may be corrupt.
inline std::vector<Change> AllChanges(admin::Database* db) {
  std::string frames;
  REQUIRE(admin::ReadChanges(db, 0, admin::kMaxChangesLimit, &frames).ok());
  FrameReader reader;
  reader.Feed(frames);
  std::vector<Change> out;
  std::string_view frame;
  bool corrupt = false;
  while (reader.Next(&frame, &corrupt)) out.push_back(DecodeChange(frame).value());
  REQUIRE_FALSE(corrupt);
  return out;
}

inline std::vector<std::string> Codes(const admin::ListResult& r) {
  std::vector<std::string> out;
  for (const auto& l : r.urls) out.push_back(l.code);
  return out;
}

}  // namespace shortlink::testing
