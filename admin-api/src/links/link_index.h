// LinkIndex: every link held in memory, for the reads of the API (lookup by
// (domain, code), list and search of a user's links) and the uniqueness
// checks of the writer.
//
// Links are identified by (domain, code) (common/link.h). The calls that
// take a code alone mean the default domain: the Go API knows no domains and
// so reads and lists exactly what it did before they existed. A link's
// domain is kept beside its title, tags and rules, so a default-domain link
// costs no more than it did. RocksDB is the truth; this index is rebuilt from it at start and
// updated by the writer after each durable commit, before the answer.
//
// Why in memory: listing 1,000,000 links of one user by clicks, or searching
// them by substring, cannot use a RocksDB range scan; a scan over compact
// in-memory entries stays far under 100 ms.
//
// Thread safety: readers take a shared lock, the writer an exclusive one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "common/cpu_yield.h"
#include "common/link.h"
#include "common/string_hash.h"

namespace shortlink::admin {

enum class OrderBy { kCreatedAt, kClicks };

struct ListQuery {
  uint64_t owner = 0;
  size_t limit = 1000;
  size_t offset = 0;
  std::string search_text;  // a case-insensitive substring of shortUrl, longUrl, title or a tag
  std::string tag;          // when set: links with this tag (ASCII case-insensitive, whole tag)
  std::optional<LinkState> state;
  std::optional<bool> is_file;
  // The links of this domain ("" the default one, as the Go API lists);
  // nullopt: of every domain.
  std::optional<std::string> domain = std::string();
  // When not empty: the links of any of these domains ("" the default
  // one; few: a linear find), and `domain` must be nullopt.
  std::vector<std::string> domains;
  // When not empty: the links in any of these campaigns (few: a linear find).
  std::vector<uint64_t> campaigns;
  bool include_hidden = false;  // hidden links are left out unless asked for
  OrderBy order_by = OrderBy::kCreatedAt;
  bool ascending = false;
};

struct ListResult {
  std::vector<Link> urls;
  size_t count = 0;  // all matches, ignoring limit and offset
};

class LinkIndex {
  struct Entry;

 public:
  LinkIndex();
  ~LinkIndex();

  // Writer side.
  void Put(const Link& link);  // insert or replace (by domain and code)
  void Remove(LinkKey key);
  void Remove(std::string_view code) { Remove(LinkKey{{}, code}); }

  // Counting clicks, one lookup per code: the writer finds a link's entry
  // once (FindClickTarget), then reads it (Get) and adds to its clicks
  // (AddClicks) through the reference it got. A reference stays valid until
  // the writer itself puts or removes that code (both replace the entry);
  // readers never invalidate it.
  class EntryRef {
   public:
    EntryRef() = default;

   private:
    friend class LinkIndex;
    explicit EntryRef(Entry* entry) : entry_(entry) {}
    Entry* entry_ = nullptr;
  };
  struct ClickTarget {
    EntryRef entry;
    uint64_t clicks;
    uint64_t max_clicks;  // 0: no click limit
    uint64_t owner;       // the link's team (click analytics keep per-team rows)
  };
  std::optional<ClickTarget> FindClickTarget(LinkKey key) const;
  std::optional<ClickTarget> FindClickTarget(std::string_view code) const {
    return FindClickTarget(LinkKey{{}, code});
  }
  void Get(EntryRef entry, Link* link) const;
  // Adds `count` to the link's clicks in place. Clicks order no list the
  // index keeps (orderBy=clicks sorts at query time), so nothing is rebuilt
  // or moved: the writer applies a million clicked links in O(1) each.
  void AddClicks(EntryRef entry, uint64_t count);
  // The same for many links at once: the lock is taken once per few
  // hundred links (readers wait no longer than that), `cpu_yield` polled
  // between them, and each entry fetched into the cache a few ahead of its
  // use: a commit adds to up to a million entries, each a cache miss
  // otherwise.
  struct ClickAdd {
    EntryRef entry;
    uint64_t count;
  };
  void AddClicks(std::span<const ClickAdd> adds, CpuYield* cpu_yield);
  // Sets the link's total, as stored apart from its record (at start).
  void SetClicks(EntryRef entry, uint64_t total);
  // Bulk load at start: no ordering work per insert; call FinishLoad after.
  void LoadUnsorted(Link link);
  void FinishLoad();

  // Reader side.
  std::optional<Link> Get(LinkKey key) const;
  std::optional<Link> Get(std::string_view code) const { return Get(LinkKey{{}, code}); }
  bool Contains(LinkKey key) const;
  bool Contains(std::string_view code) const { return Contains(LinkKey{{}, code}); }
  ListResult List(const ListQuery& query) const;
  size_t size() const;
  // Whether `owner` (a team number) owns any link, on any domain.
  bool HasLinksOf(uint64_t owner) const;

 private:
  struct EntryDeleter {
    void operator()(Entry* e) const;
  };
  using EntryPtr = std::unique_ptr<Entry, EntryDeleter>;
  using OwnerList = std::vector<Entry*>;  // ordered by (createdAt, code, domain)

  struct Extras;

  static EntryPtr MakeEntry(const Link& link);
  static void CopyOut(const Entry& entry, Link* link);
  static void AppendTo(const Entry& entry, std::vector<Link>* out);
  OwnerList::iterator FindInOwner(Entry* entry);

  void InsertIntoOwner(Entry* entry);
  void EraseFromOwner(Entry* entry);
  void CountHidden(const Entry* entry, int delta);  // +1 on insert, -1 on removal
  void CountOffDefault(const Entry* entry, int delta);

  mutable std::shared_mutex mu_;
  // By EncodeLinkKey(domain, code). An open-addressing map: the writer
  // looks up every link of every click batch here, and a million-link index
  // is all cache misses; this one takes fewer than std::unordered_map's
  // chain of nodes (bench_click_apply). Entries stay put: the map holds
  // pointers to them.
  boost::unordered_flat_map<std::string, EntryPtr, StringHash, std::equal_to<>>
      by_key_;                                        // GUARDED_BY(mu_)
  std::unordered_map<uint64_t, OwnerList> by_owner_;  // GUARDED_BY(mu_)
  // Hidden links per owner: while an owner has none, a plain list of theirs
  // still reads only its page (no scan to leave hidden ones out).
  std::unordered_map<uint64_t, size_t> hidden_by_owner_;  // GUARDED_BY(mu_)
  // Links off the default domain per owner: likewise, while an owner has
  // none, a list of the default domain reads only its page.
  std::unordered_map<uint64_t, size_t> off_default_by_owner_;  // GUARDED_BY(mu_)
};

}  // namespace shortlink::admin
