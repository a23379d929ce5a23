// The first week whose team-week analytics rows ('w', store/analytics_keys.h)
// are whole: the week this release first opened a database with no team
// rows yet, else the week after (the week it opened an older database in
// began before its 'w' rows did). Set once, then kept in kMeta: the link
// writer writes 'w' rows from it, and top links read them from it.
//
// Thread safety: call once at start, before the link writer runs.
#pragma once

#include <cstdint>

#include "common/result.h"
#include "store/database.h"

namespace shortlink::admin {

Result<uint32_t> LoadTeamWeeksFrom(Database* db, uint32_t today);

}  // namespace shortlink::admin
