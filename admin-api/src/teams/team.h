// Team: the unit that owns links, keys, campaigns and domains (Shorten
// World's team, GoGoWorx's account), and its record encoding.
//
// A team has a number (auth/principal.h: a personal team is numbered as its
// user, others from kFirstSharedTeam), a UUID and a site name that clients
// see, and members with a role. A personal team has exactly one member, its
// user, as owner.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "common/result.h"

namespace shortlink::admin {

struct TeamMember {
  uint64_t user = 0;
  auth::Role role = auth::Role::kViewer;

  bool operator==(const TeamMember&) const = default;
};

struct Team {
  uint64_t number = 0;
  std::string uuid;       // 36 characters, lowercase, RFC 4122 version 4
  std::string site_name;  // unique, [a-z0-9-]
  bool personal = false;
  int64_t created_at_ms = 0;
  std::vector<TeamMember> members;  // in the order they joined

  const TeamMember* Member(uint64_t user) const;
  size_t Owners() const;
  // GoGoWorx's x-account-uuid value: "<site name>/<uuid>".
  std::string AccountId() const { return site_name + "/" + uuid; }

  bool operator==(const Team&) const = default;
};

std::string EncodeTeam(const Team& team);
Result<Team> DecodeTeam(std::string_view bytes);

// A site name is 3 to 63 of [a-z0-9-], neither starting nor ending with '-'.
Status CheckSiteName(std::string_view name);

// A site name made from an email's local part for a personal team
// ("Ann.Lee@x.org" -> "ann-lee"), padded to 3 characters; the caller makes
// it unique.
std::string SiteNameFromEmail(std::string_view email);

std::string NewTeamUuid();

}  // namespace shortlink::admin
