// GeoLocator over an operator's MaxMind-format database (GeoLite2/GeoIP2
// Country or City, or any MMDB with the same fields), read by libmaxminddb
// from a memory map. Lookups on an open MMDB_s only read it, so one
// locator serves every thread.
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "classify/geo.h"
#include "geo_address.h"

namespace shortlink::classify {
namespace {

// A city name longer than this is cut (at a UTF-8 character boundary): the
// longest English names in GeoNames are under 60 bytes, and the value
// travels in every click batch.
constexpr size_t kMaxCityBytes = 80;

class MaxMindGeoLocator final : public GeoLocator {
 public:
  MaxMindGeoLocator() { std::memset(&db_, 0, sizeof db_); }
  ~MaxMindGeoLocator() override {
    if (open_) MMDB_close(&db_);
  }

  Status Open(const std::string& path) {
    const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db_);
    if (status != MMDB_SUCCESS) {
      std::string message = "cannot open " + path + ": " + MMDB_strerror(status);
      if (status == MMDB_IO_ERROR) message += std::string(" (") + std::strerror(errno) + ")";
      return MakeError(
          status == MMDB_FILE_OPEN_ERROR ? ErrorCode::kNotFound : ErrorCode::kInvalidArgument,
          message);
    }
    open_ = true;
    return Status::Ok();
  }

  GeoFacts Locate(std::string_view address) const override {
    GeoFacts facts;
    const ClientAddress client = ReadClientAddress(address);
    if (client.kind == ClientAddress::Kind::kUnknown) return facts;

    sockaddr_storage storage{};
    if (client.kind == ClientAddress::Kind::kV4) {
      auto* in = reinterpret_cast<sockaddr_in*>(&storage);
      in->sin_family = AF_INET;
      in->sin_addr.s_addr = htonl(client.v4);
    } else {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
      in6->sin6_family = AF_INET6;
      for (int i = 0; i < 8; ++i) {
        in6->sin6_addr.s6_addr[i] = static_cast<uint8_t>(client.v6.hi >> (56 - 8 * i));
        in6->sin6_addr.s6_addr[8 + i] = static_cast<uint8_t>(client.v6.lo >> (56 - 8 * i));
      }
    }
    int mmdb_error = MMDB_SUCCESS;
    // MMDB_lookup_sockaddr takes a non-const MMDB_s but only reads it.
    MMDB_lookup_result_s found = MMDB_lookup_sockaddr(
        const_cast<MMDB_s*>(&db_), reinterpret_cast<const sockaddr*>(&storage), &mmdb_error);
    if (mmdb_error != MMDB_SUCCESS || !found.found_entry) return facts;

    // An address may carry only the country its block is registered in
    // (anonymous proxies, satellite providers): better than nothing.
    std::string_view country = StringAt(&found.entry, "country", "iso_code");
    if (country.empty()) country = StringAt(&found.entry, "registered_country", "iso_code");
    if (IsCountryCode(country)) {
      facts.country = {static_cast<char>(country[0] & ~0x20),
                       static_cast<char>(country[1] & ~0x20)};
    }
    facts.city = CleanCity(StringAt(&found.entry, "city", "names", "en"));
    return facts;
  }

 private:
  // The UTF-8 string at a path of map keys, or empty when absent or of
  // another type.
  template <typename... Keys>
  static std::string_view StringAt(MMDB_entry_s* entry, Keys... keys) {
    MMDB_entry_data_s data;
    if (MMDB_get_value(entry, &data, keys..., static_cast<const char*>(nullptr)) != MMDB_SUCCESS ||
        !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) {
      return {};
    }
    return {data.utf8_string, data.data_size};
  }

  static bool IsCountryCode(std::string_view code) {
    const auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
    return code.size() == 2 && letter(code[0]) && letter(code[1]);
  }

  // Control characters dropped, cut to kMaxCityBytes without splitting a
  // UTF-8 sequence.
  static std::string CleanCity(std::string_view name) {
    std::string city;
    for (unsigned char c : name) {
      if (c < 0x20 || c == 0x7f) continue;
      city.push_back(static_cast<char>(c));
    }
    if (city.size() > kMaxCityBytes) {
      size_t cut = kMaxCityBytes;
      while (cut > 0 && (static_cast<unsigned char>(city[cut]) & 0xc0) == 0x80) --cut;
      city.resize(cut);
    }
    return city;
  }

  MMDB_s db_;
  bool open_ = false;
};

}  // namespace

Result<std::unique_ptr<GeoLocator>> GeoLocator::OpenMaxMind(const std::string& mmdb_path) {
  auto locator = std::make_unique<MaxMindGeoLocator>();
  if (Status s = locator->Open(mmdb_path); !s.ok()) return s.error();
  return std::unique_ptr<GeoLocator>(std::move(locator));
}

}  // namespace shortlink::classify
