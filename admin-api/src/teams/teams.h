// Teams: every team and its members, in memory (they are few and read on
// every request), written through to RocksDB (Table::kTeams), synced,
// before a change is visible.
//
// Personal teams: every user has one, numbered as the user. Load makes the
// missing ones (a database written before teams, or a user created by a
// process that stopped before its team was written), and EnsurePersonal
// makes one for a new user, so links and keys made before teams are their
// personal team's from the first start on.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "accounts/accounts.h"
#include "common/result.h"
#include "store/database.h"
#include "teams/team.h"

namespace shortlink::admin {

class Teams {
 public:
  // Reads every team, then makes the personal team of each of `users` that
  // has none.
  static Result<std::unique_ptr<Teams>> Load(Database* db, const std::vector<User>& users);

  // The personal team of `user`, made if missing.
  Result<Team> EnsurePersonal(const User& user);

  // A shared team owned by `owner`; kInvalidArgument for a taken or bad name.
  Result<Team> Create(uint64_t owner, std::string_view site_name);
  Result<Team> Rename(uint64_t number, std::string_view site_name);
  // kInvalidArgument for a personal team.
  Status Delete(uint64_t number);

  // kInvalidArgument when `user` is a member already; kStateConflict when a
  // change would leave the team without an owner.
  Result<Team> AddMember(uint64_t number, uint64_t user, auth::Role role);
  Result<Team> SetRole(uint64_t number, uint64_t user, auth::Role role);
  Result<Team> RemoveMember(uint64_t number, uint64_t user);

  std::optional<Team> Get(uint64_t number) const;
  std::optional<Team> FindByUuid(std::string_view uuid) const;
  std::optional<Team> FindBySiteName(std::string_view site_name) const;
  // `user`'s role in team `number`; none when not a member (or no such team).
  std::optional<auth::Role> RoleOf(uint64_t number, uint64_t user) const;
  // The teams `user` belongs to, oldest first.
  std::vector<Team> TeamsOf(uint64_t user) const;

 private:
  explicit Teams(Database* db) : db_(db) {}
  // Writes `team` (and the next team number when `next_number` is set); on
  // success updates the maps. Call with mu_ held.
  Status Store(const Team& team, std::optional<uint64_t> next_number = std::nullopt);
  Result<std::string> UniqueSiteName(std::string base) const;  // with mu_ held
  Result<Team> Change(uint64_t number, const std::function<Status(Team&)>& edit);

  Database* db_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Team> by_number_;            // GUARDED_BY(mu_)
  std::unordered_map<std::string, uint64_t> by_uuid_;       // GUARDED_BY(mu_)
  std::unordered_map<std::string, uint64_t> by_site_name_;  // GUARDED_BY(mu_)
  uint64_t next_shared_ = auth::kFirstSharedTeam;           // GUARDED_BY(mu_)
};

}  // namespace shortlink::admin
