// GeoLocator: a client address to its country (and city, where the
// database has cities), for analytics. No address is stored anywhere.
//
// Two sources: Debian's tor-geoipdb (the default: on a fresh machine with
// no download, updated with Debian's security updates; ~386k IPv4 and IPv6
// country ranges) or an operator's MaxMind-format database (--geoip-db,
// libmaxminddb), which may have cities.
//
// Cost (bench/micro/bench_geo, one core): OpenTorGeoip reads and indexes
// both files in ~65 ms and keeps ~6 MB; Locate ~20 ns for IPv4, ~115 ns
// for IPv6 (sorted range arrays: classify/src/geo_tor.cc).
//
// Thread safety: Locate is const and safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace shortlink::classify {

struct GeoFacts {
  std::string country = "ZZ";  // ISO 3166-1 alpha-2, upper case; "ZZ" unknown
  std::string city;            // English name where the database has it, else empty
};

class GeoLocator {
 public:
  static constexpr const char* kTorGeoip4 = "/usr/share/tor/geoip";
  static constexpr const char* kTorGeoip6 = "/usr/share/tor/geoip6";

  // An unreadable file is an error naming it (kNotFound when absent); a
  // line that is not "LOW,HIGH,CC", or ranges out of order or
  // overlapping, an error naming the file and line (kInvalidArgument).
  // Tor's "??" is "ZZ".
  static Result<std::unique_ptr<GeoLocator>> OpenTorGeoip(const std::string& v4_path = kTorGeoip4,
                                                          const std::string& v6_path = kTorGeoip6);
  // A missing file is kNotFound, one libmaxminddb cannot read (corrupt,
  // cut short, not MMDB) kInvalidArgument, both naming it. Reads
  // country.iso_code (else registered_country.iso_code) and
  // city.names.en (control characters dropped, at most 80 bytes).
  static Result<std::unique_ptr<GeoLocator>> OpenMaxMind(const std::string& mmdb_path);
  virtual ~GeoLocator() = default;

  // `address`: raw bytes in network order, 4 (IPv4) or 16 (IPv6; an
  // IPv4-mapped address is looked up as IPv4). Anything else, and private,
  // loopback, link-local, carrier-grade NAT, multicast and reserved
  // addresses: "ZZ" without a lookup.
  virtual GeoFacts Locate(std::string_view address) const = 0;
};

}  // namespace shortlink::classify
