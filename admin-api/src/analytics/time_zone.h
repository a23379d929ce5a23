// TimeZone: the UTC offset of an IANA zone ("Asia/Singapore") at any
// instant, read from the system's tz database (/usr/share/zoneinfo, Debian's
// tzdata), so that analytics split days and months where the caller's day
// starts (Dub's users saw wrong "today" counts without it).
//
// Why our own reader: libstdc++ 12 has no std::chrono::locate_zone, and
// Howard Hinnant's date library (libhowardhinnant-date-dev) would add a
// package and a compiled tz part for the two calls we need. A TZif file is
// a list of transitions and offsets; Debian's are "fat" (transitions listed
// to 2037), so past the last one the last offset holds.
//
// Thread safety: immutable once loaded; share freely.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace shortlink::admin {

class TimeZone {
 public:
  static TimeZone Utc();
  // `name` as in the tz database ("Europe/Berlin", "UTC"); kInvalidArgument
  // for a name that is none (or tries to leave the database's folder).
  static Result<TimeZone> Load(std::string_view name, std::string_view dir = "/usr/share/zoneinfo");

  const std::string& name() const { return name_; }
  // Seconds east of UTC at the instant `utc` (Unix seconds).
  int64_t OffsetAt(int64_t utc) const;
  // The instant whose local time is `local` (seconds since the local
  // epoch); in a gap, the instant after it; in an overlap, the first.
  int64_t ToUtc(int64_t local) const;
  int64_t ToLocal(int64_t utc) const { return utc + OffsetAt(utc); }

 private:
  std::string name_ = "UTC";
  std::vector<int64_t> transitions_;  // Unix seconds, ascending
  std::vector<int32_t> offsets_;      // offsets_[i]: from transitions_[i] on
  int32_t initial_offset_ = 0;        // before the first transition
};

}  // namespace shortlink::admin
