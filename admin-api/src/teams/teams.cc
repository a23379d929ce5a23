#include "teams/teams.h"

#include <algorithm>
#include <functional>

#include "common/clock.h"
#include "common/wire.h"
#include "store/db_keys.h"
#include "store/write_batch.h"

namespace shortlink::admin {
namespace {

std::string Number(uint64_t n) {
  std::string out;
  wire::PutFixed64BE(n, &out);
  return out;
}

Error NoSuchTeam() { return MakeError(ErrorCode::kNotFound, "Team not found."); }

}  // namespace

Result<std::unique_ptr<Teams>> Teams::Load(Database* db, const std::vector<User>& users) {
  std::unique_ptr<Teams> t(new Teams(db));
  Status s = db->Scan(Table::kTeams, "", [&](std::string_view, std::string_view value) {
    auto team = DecodeTeam(value);
    if (team.ok()) {
      t->by_uuid_[team->uuid] = team->number;
      t->by_site_name_[team->site_name] = team->number;
      t->by_number_[team->number] = std::move(team).value();
    }
    return true;
  });
  if (!s.ok()) return s.error();
  t->next_shared_ = std::max(auth::kFirstSharedTeam, db->GetNumber(Table::kMeta, dbkey::kNextTeam));
  for (const User& user : users) {
    auto personal = t->EnsurePersonal(user);
    if (!personal.ok()) return personal.error();
  }
  return t;
}

Status Teams::Store(const Team& team, std::optional<uint64_t> next_number) {
  WriteBatch batch(*db_);
  batch.Put(Table::kTeams, Number(team.number), EncodeTeam(team));
  if (next_number) batch.Put(Table::kMeta, dbkey::kNextTeam, Number(*next_number));
  if (Status s = db_->Write(&batch); !s.ok()) return s;
  if (auto old = by_number_.find(team.number); old != by_number_.end())
    by_site_name_.erase(old->second.site_name);
  by_uuid_[team.uuid] = team.number;
  by_site_name_[team.site_name] = team.number;
  by_number_[team.number] = team;
  return Status::Ok();
}

Result<std::string> Teams::UniqueSiteName(std::string base) const {
  if (!by_site_name_.count(base)) return base;
  for (uint64_t i = 2; i < 1'000'000; ++i) {
    std::string candidate = base + "-" + std::to_string(i);
    if (!by_site_name_.count(candidate)) return candidate;
  }
  return MakeError(ErrorCode::kInternal, "no free site name for " + base);
}

Result<Team> Teams::EnsurePersonal(const User& user) {
  std::lock_guard lock(mu_);
  uint64_t number = auth::PersonalTeamOf(user.id);
  if (auto it = by_number_.find(number); it != by_number_.end()) return it->second;
  auto name = UniqueSiteName(SiteNameFromEmail(user.email));
  if (!name.ok()) return name.error();
  Team team{number, NewTeamUuid(),      *name,
            true,   user.created_at_ms, {{user.id, auth::Role::kOwner}}};
  if (Status s = Store(team); !s.ok()) return s.error();
  return team;
}

Result<Team> Teams::Create(uint64_t owner, std::string_view site_name) {
  if (Status s = CheckSiteName(site_name); !s.ok()) return s.error();
  std::lock_guard lock(mu_);
  if (by_site_name_.count(std::string(site_name))) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "The site name \"" + std::string(site_name) + "\" is taken.");
  }
  Team team{next_shared_, NewTeamUuid(), std::string(site_name),
            false,        NowMillis(),   {{owner, auth::Role::kOwner}}};
  if (Status s = Store(team, next_shared_ + 1); !s.ok()) return s.error();
  ++next_shared_;
  return team;
}

Result<Team> Teams::Change(uint64_t number, const std::function<Status(Team&)>& edit) {
  std::lock_guard lock(mu_);
  auto it = by_number_.find(number);
  if (it == by_number_.end()) return NoSuchTeam();
  Team team = it->second;
  if (Status s = edit(team); !s.ok()) return s.error();
  if (Status s = Store(team); !s.ok()) return s.error();
  return team;
}

Result<Team> Teams::Rename(uint64_t number, std::string_view site_name) {
  if (Status s = CheckSiteName(site_name); !s.ok()) return s.error();
  return Change(number, [&](Team& team) -> Status {
    if (team.site_name == site_name) return Status::Ok();
    if (by_site_name_.count(std::string(site_name))) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "The site name \"" + std::string(site_name) + "\" is taken.");
    }
    team.site_name = site_name;
    return Status::Ok();
  });
}

Status Teams::Delete(uint64_t number) {
  std::lock_guard lock(mu_);
  auto it = by_number_.find(number);
  if (it == by_number_.end()) return NoSuchTeam();
  if (it->second.personal)
    return MakeError(ErrorCode::kInvalidArgument, "A personal team cannot be deleted.");
  WriteBatch batch(*db_);
  batch.Delete(Table::kTeams, Number(number));
  if (Status s = db_->Write(&batch); !s.ok()) return s;
  by_uuid_.erase(it->second.uuid);
  by_site_name_.erase(it->second.site_name);
  by_number_.erase(it);
  return Status::Ok();
}

Result<Team> Teams::AddMember(uint64_t number, uint64_t user, auth::Role role) {
  return Change(number, [&](Team& team) -> Status {
    if (team.personal)
      return MakeError(ErrorCode::kInvalidArgument, "A personal team has no other members.");
    if (team.Member(user))
      return MakeError(ErrorCode::kInvalidArgument, "That user is a member of the team already.");
    team.members.push_back({user, role});
    return Status::Ok();
  });
}

Result<Team> Teams::SetRole(uint64_t number, uint64_t user, auth::Role role) {
  return Change(number, [&](Team& team) -> Status {
    auto member = std::find_if(team.members.begin(), team.members.end(),
                               [&](const TeamMember& m) { return m.user == user; });
    if (member == team.members.end())
      return MakeError(ErrorCode::kNotFound, "That user is not a member of the team.");
    if (member->role == auth::Role::kOwner && role != auth::Role::kOwner && team.Owners() == 1)
      return MakeError(ErrorCode::kStateConflict,
                       "The team's last owner cannot step down; make another member owner first.");
    member->role = role;
    return Status::Ok();
  });
}

Result<Team> Teams::RemoveMember(uint64_t number, uint64_t user) {
  return Change(number, [&](Team& team) -> Status {
    auto member = std::find_if(team.members.begin(), team.members.end(),
                               [&](const TeamMember& m) { return m.user == user; });
    if (member == team.members.end())
      return MakeError(ErrorCode::kNotFound, "That user is not a member of the team.");
    if (member->role == auth::Role::kOwner && team.Owners() == 1)
      return MakeError(ErrorCode::kStateConflict,
                       "The team's last owner cannot leave; make another member owner first.");
    team.members.erase(member);
    return Status::Ok();
  });
}

std::optional<Team> Teams::Get(uint64_t number) const {
  std::lock_guard lock(mu_);
  auto it = by_number_.find(number);
  if (it == by_number_.end()) return std::nullopt;
  return it->second;
}

std::optional<Team> Teams::FindByUuid(std::string_view uuid) const {
  std::lock_guard lock(mu_);
  auto it = by_uuid_.find(std::string(uuid));
  if (it == by_uuid_.end()) return std::nullopt;
  return by_number_.at(it->second);
}

std::optional<Team> Teams::FindBySiteName(std::string_view site_name) const {
  std::lock_guard lock(mu_);
  auto it = by_site_name_.find(std::string(site_name));
  if (it == by_site_name_.end()) return std::nullopt;
  return by_number_.at(it->second);
}

std::optional<auth::Role> Teams::RoleOf(uint64_t number, uint64_t user) const {
  std::lock_guard lock(mu_);
  auto it = by_number_.find(number);
  if (it == by_number_.end()) return std::nullopt;
  const TeamMember* m = it->second.Member(user);
  if (!m) return std::nullopt;
  return m->role;
}

std::vector<Team> Teams::TeamsOf(uint64_t user) const {
  std::lock_guard lock(mu_);
  std::vector<Team> out;
  for (const auto& [number, team] : by_number_)
    if (team.Member(user)) out.push_back(team);
  std::sort(out.begin(), out.end(), [](const Team& a, const Team& b) {
    return a.created_at_ms != b.created_at_ms ? a.created_at_ms < b.created_at_ms
                                              : a.number < b.number;
  });
  return out;
}

}  // namespace shortlink::admin
