// CampaignDirectory: what the link writer asks about campaigns (issue 19,
// Shorten World's campaigns; admin-api/src/campaigns/ implements it). A link
// may name a campaign only of its own team, and the writer asks at commit,
// on its own thread, so a link never commits naming a campaign that a
// concurrent delete has taken away (campaigns/campaigns.h says how a delete
// waits for the commits that asked before it).
//
// Thread safety: MayName is called from the writer thread while the API's
// threads change campaigns; implementations lock.
#pragma once

#include <cstdint>

namespace shortlink::admin {

class CampaignDirectory {
 public:
  virtual ~CampaignDirectory() = default;
  // Whether a link of `team` may name `campaign` now: it exists, it is the
  // team's, and it is not being deleted.
  virtual bool MayName(uint64_t team, uint64_t campaign) const = 0;
};

}  // namespace shortlink::admin
