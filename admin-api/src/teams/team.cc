#include "teams/team.h"

#include <algorithm>
#include <boost/uuid/uuid.hpp>
#include <boost/uuid/uuid_generators.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "common/wire.h"

namespace shortlink::admin {
namespace {

enum TeamTag : uint8_t {
  kNumber = 1,
  kUuid = 2,
  kSiteName = 3,
  kCreated = 4,
  kPersonal = 5,
  kMember = 6,  // varint user | varint role, one field per member
};

Error Malformed() { return MakeError(ErrorCode::kInternal, "malformed team record"); }

}  // namespace

const TeamMember* Team::Member(uint64_t user) const {
  for (const TeamMember& m : members)
    if (m.user == user) return &m;
  return nullptr;
}

size_t Team::Owners() const {
  return std::count_if(members.begin(), members.end(),
                       [](const TeamMember& m) { return m.role == auth::Role::kOwner; });
}

std::string EncodeTeam(const Team& team) {
  std::string out;
  wire::PutVarintField(kNumber, team.number, &out);
  wire::PutField(kUuid, team.uuid, &out);
  wire::PutField(kSiteName, team.site_name, &out);
  wire::PutVarintField(kCreated, static_cast<uint64_t>(team.created_at_ms), &out);
  if (team.personal) wire::PutVarintField(kPersonal, 1, &out);
  std::string member;
  for (const TeamMember& m : team.members) {
    member.clear();
    wire::PutVarint(m.user, &member);
    wire::PutVarint(static_cast<uint64_t>(m.role), &member);
    wire::PutField(kMember, member, &out);
  }
  return out;
}

Result<Team> DecodeTeam(std::string_view bytes) {
  Team team;
  wire::Reader r(bytes);
  while (!r.done()) {
    uint8_t tag = 0;
    std::string_view field;
    if (!r.ReadField(&tag, &field)) return Malformed();
    uint64_t n = 0;
    switch (tag) {
      case kNumber:
        if (!wire::ParseVarint(field, &team.number)) return Malformed();
        break;
      case kUuid:
        team.uuid.assign(field);
        break;
      case kSiteName:
        team.site_name.assign(field);
        break;
      case kCreated:
        if (!wire::ParseVarint(field, &n)) return Malformed();
        team.created_at_ms = static_cast<int64_t>(n);
        break;
      case kPersonal:
        team.personal = true;
        break;
      case kMember: {
        wire::Reader m(field);
        uint64_t user = 0, role = 0;
        if (!m.ReadVarint(&user) || !m.ReadVarint(&role) || role > 3) return Malformed();
        team.members.push_back({user, static_cast<auth::Role>(role)});
        break;
      }
      default:
        break;  // a field of a later release
    }
  }
  if (team.number == 0 || team.uuid.empty() || team.site_name.empty()) return Malformed();
  return team;
}

Status CheckSiteName(std::string_view name) {
  bool ok = name.size() >= 3 && name.size() <= 63 && name.front() != '-' && name.back() != '-' &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            });
  if (ok) return Status::Ok();
  return MakeError(ErrorCode::kInvalidArgument,
                   "siteName must be 3 to 63 characters of a-z, 0-9 and '-', not starting or "
                   "ending with '-'.");
}

std::string SiteNameFromEmail(std::string_view email) {
  std::string name;
  for (char c : email.substr(0, email.find('@'))) {
    char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool alnum = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
    if (alnum)
      name.push_back(lower);
    else if (!name.empty() && name.back() != '-')
      name.push_back('-');
  }
  while (!name.empty() && name.back() == '-') name.pop_back();
  if (name.size() > 50) name.resize(50);
  while (name.size() < 3) name.push_back('0');
  return name;
}

std::string NewTeamUuid() {
  // Boost's generator reads the system's random source once per
  // generator; a thread_local one serves each thread without a lock.
  thread_local boost::uuids::random_generator generate;
  return boost::uuids::to_string(generate());
}

}  // namespace shortlink::admin
