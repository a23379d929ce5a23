#include "analytics/time_zone.h"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace shortlink::admin {
namespace {

uint32_t Be32(const unsigned char* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
int64_t Be64(const unsigned char* p) { return int64_t(uint64_t(Be32(p)) << 32 | Be32(p + 4)); }

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' ||
      name.find("..") != std::string_view::npos)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '+';
  });
}

Error Unknown(std::string_view name) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "timezone must be an IANA time zone such as Asia/Singapore or UTC.");
}

}  // namespace

TimeZone TimeZone::Utc() { return TimeZone(); }

Result<TimeZone> TimeZone::Load(std::string_view name, std::string_view dir) {
  if (name == "UTC" || name == "Etc/UTC" || name == "Z") return Utc();
  if (!ValidName(name)) return Unknown(name);
  std::ifstream in(std::string(dir) + "/" + std::string(name), std::ios::binary);
  if (!in) return Unknown(name);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t size = bytes.size();
  // Header: "TZif", version, 15 reserved bytes, six counts.
  auto header = [&](size_t at, uint32_t c[6]) {
    if (at + 44 > size || bytes.compare(at, 4, "TZif") != 0) return false;
    for (int i = 0; i < 6; ++i) c[i] = Be32(p + at + 20 + 4 * i);
    return true;
  };
  uint32_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  if (!header(0, c) || p[4] < '2') return Unknown(name);  // version 2+: 64-bit times
  size_t v1 = c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
  size_t at = 44 + v1;
  if (!header(at, c)) return Unknown(name);
  at += 44;
  const uint32_t timecnt = c[3], typecnt = c[4];
  if (typecnt == 0 || at + timecnt * 9 + typecnt * 6 > size) return Unknown(name);
  const unsigned char* times = p + at;
  const unsigned char* indexes = times + timecnt * 8;
  const unsigned char* types = indexes + timecnt;
  auto offset_of = [&](uint32_t type) { return int32_t(Be32(types + 6 * type)); };
  TimeZone zone;
  zone.name_ = std::string(name);
  // Before the first transition: the first standard-time type (RFC 8536:
  // type 0 unless that is DST and a standard one exists).
  zone.initial_offset_ = offset_of(0);
  for (uint32_t i = 0; i < timecnt; ++i) {
    if (indexes[i] >= typecnt) return Unknown(name);
    zone.transitions_.push_back(Be64(times + 8 * i));
    zone.offsets_.push_back(offset_of(indexes[i]));
  }
  return zone;
}

int64_t TimeZone::OffsetAt(int64_t utc) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc);
  if (it == transitions_.begin()) return initial_offset_;
  return offsets_[it - transitions_.begin() - 1];
}

int64_t TimeZone::ToUtc(int64_t local) const {
  // The offset an instant near `local` has, then once more from there:
  // enough for offsets that change at most once within a day.
  int64_t guess = local - OffsetAt(local - 86'400);
  int64_t utc = local - OffsetAt(guess);
  if (utc + OffsetAt(utc) != local) {
    // A gap (the clock jumped over `local`): the instant after it.
    int64_t later = local - OffsetAt(local + 86'400);
    if (later + OffsetAt(later) != local) return std::max(utc, later);
    return later;
  }
  return std::min(utc, guess + OffsetAt(guess) == local ? guess : utc);
}

}  // namespace shortlink::admin
