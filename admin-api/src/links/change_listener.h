// ChangeListener: what hears of every change the link writer commits (the
// Redis publisher today; webhooks and analytics next). LinkService calls its
// listeners, in the order they were given, once per change, in commit order,
// and only after the change is durable; then it answers the callers.
//
// Thread safety: OnCommitted runs on the writer thread and holds up every
// commit behind it: queue the work and return.
#pragma once

#include <string>
#include <vector>

#include "common/change.h"
#include "common/click_batch.h"

namespace shortlink::admin {

class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  // `encoded` is `change` as EncodeChange writes it (a node's wire format).
  virtual void OnCommitted(const Change& change, std::string encoded) = 0;
};

// ClickListener: what hears of the clicks each commit counted (webhooks'
// link.clicked). Clicks are the hot path (issue 23): the writer asks
// WantsClicks once per commit, and only when it says yes does it keep the
// applied click batches' entries, which it then moves (not copies) here,
// after the commit is durable. A batch applied before (a duplicate) is not
// handed on. Entries may name links deleted since, or off the default
// domain (which counts no clicks yet): the listener checks.
//
// Thread safety: both run on the writer thread: WantsClicks must be cheap (an
// atomic load), OnClicksCounted must queue and return.
class ClickListener {
 public:
  virtual ~ClickListener() = default;
  virtual bool WantsClicks() const = 0;
  virtual void OnClicksCounted(std::vector<ClickEntry> clicks) = 0;
};

}  // namespace shortlink::admin
