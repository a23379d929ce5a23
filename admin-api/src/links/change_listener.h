// ChangeListener: what hears of every change the link writer commits (the
// Redis publisher today; webhooks and analytics next). LinkService calls its
// listeners, in the order they were given, once per change, in commit order,
// and only after the change is durable; then it answers the callers.
//
// Thread safety: OnCommitted runs on the writer thread and holds up every
// commit behind it: queue the work and return.
#pragma once

#include <string>

#include "common/change.h"

namespace shortlink::admin {

class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  // `encoded` is `change` as EncodeChange writes it (a node's wire format).
  virtual void OnCommitted(const Change& change, std::string encoded) = 0;
};

}  // namespace shortlink::admin
