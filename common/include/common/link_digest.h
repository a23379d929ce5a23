// LinkDigest: an order-independent fingerprint of a set of links, so that
// two programs holding links in different structures (admin-api's RocksDB,
// a node's LinkTable) can tell cheaply whether they hold the same ones.
//
// Definition (version 1; both programs call this code, never a copy of it):
//   - each link hashes to 64 bits: LinkHash over, in this order, its
//     domain ("" the default one), code, long URL, state (one byte, 0
//     ACTIVE, 1 INACTIVE) and its rules as EncodeLinkRules writes them when
//     LinkRules::empty() is false (nothing otherwise: a node keeps no rules
//     for such a link). Each field is length-prefixed, so no two different
//     links feed the hash the same bytes;
//   - the digest is the number of links and the sum, modulo 2^64, of their
//     hashes. A sum does not depend on the order the links are visited in,
//     and adding or removing one link is one addition or subtraction.
// What a node does not serve is left out: owner, clicks, dates, title, tags,
// campaign. Custom domains' settings (common/domain.h) are not links and
// are left out too.
//
// The hash is a keyed multiply-mix (wyhash-like) with fixed keys: the same
// in every process and on every machine, fast (~20 ns a link), and meant
// to catch drift, not tampering: someone who can write links could craft a
// collision, and gains nothing by it.
//
// Thread safety: pure functions; a LinkDigest is a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/link.h"

namespace shortlink {

// The hash of one link. `rules` null or empty(): a link without rules.
// `scratch` is working space (reused across calls to avoid allocating).
uint64_t LinkHash(std::string_view domain, std::string_view code, std::string_view long_url,
                  LinkState state, const LinkRules* rules, std::string* scratch);
uint64_t LinkHash(const Link& link);

struct LinkDigest {
  uint64_t links = 0;
  uint64_t hash = 0;  // the sum of LinkHash over the links, modulo 2^64

  void Add(uint64_t link_hash) {
    ++links;
    hash += link_hash;
  }
  void Add(const Link& link) { Add(LinkHash(link)); }
  // The hash as 16 lowercase hex digits, as both programs report it.
  std::string HashHex() const;
  // {"seq":N,"links":N,"hash":"<16 hex digits>"}: the answer of a node's
  // GET /digest and of admin-api's GET /api/v1/nodes/digest.
  std::string ToJson(uint64_t seq) const;

  bool operator==(const LinkDigest&) const = default;
};

}  // namespace shortlink
