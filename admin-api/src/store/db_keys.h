// Layout of admin-api's RocksDB keys. One column family; a one-letter
// prefix per record kind keeps each kind contiguous for prefix scans, and
// big-endian numbers keep numeric order equal to byte order.
//
//   l/<code>            link record (EncodeLink)
//   c/<seq, 8 bytes BE> change-log entry (EncodeChange)
//   u/<id, 8 bytes BE>  user record
//   e/<email>           user id (8 bytes BE), the email index
//   k/<sha256 of key>   API key record
//   i/<id, 8 bytes BE>  sha256 of that key, to find a key by its public id
//   m/<name>            counters: next ids and the last change seq
//   w/<node id>         click batches applied from that node (watermark)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/wire.h"

namespace shortlink::admin::dbkey {

inline std::string WithNumber(char prefix, uint64_t n) {
  std::string key{prefix, '/'};
  wire::PutFixed64BE(n, &key);
  return key;
}
inline std::string WithText(char prefix, std::string_view text) {
  std::string key{prefix, '/'};
  key.append(text);
  return key;
}

inline std::string Link(std::string_view code) { return WithText('l', code); }
inline std::string Change(uint64_t seq) { return WithNumber('c', seq); }
inline std::string User(uint64_t id) { return WithNumber('u', id); }
inline std::string Email(std::string_view email) { return WithText('e', email); }
inline std::string Key(std::string_view key_hash) { return WithText('k', key_hash); }
inline std::string KeyId(uint64_t id) { return WithNumber('i', id); }
inline std::string Meta(std::string_view name) { return WithText('m', name); }
inline std::string ClickWatermark(std::string_view node) { return WithText('w', node); }

inline constexpr std::string_view kLinkPrefix = "l/";
inline constexpr std::string_view kChangePrefix = "c/";
inline constexpr std::string_view kUserPrefix = "u/";
inline constexpr std::string_view kKeyPrefix = "k/";

inline constexpr std::string_view kLastSeq = "last_seq";
inline constexpr std::string_view kNextUserId = "next_user_id";
inline constexpr std::string_view kNextKeyId = "next_key_id";

}  // namespace shortlink::admin::dbkey
