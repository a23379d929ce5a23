#include "link_index.h"

#include <string.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <mutex>

namespace shortlink::admin {

// One allocation per link: the Link, then the search fields, then the
// haystack itself ("code\x01longurl", lowercased). A search walking a
// million entries thus reads the filter fields and the start of the
// haystack from one place: memory latency, not compute, bounds that walk.
struct LinkIndex::Entry {
  Link link;
  LinkState state;  // copies of link.state and link.is_file next to the haystack
  bool is_file;
  uint32_t haystack_size;
  char haystack_bytes[];  // haystack_size bytes follow the struct

  std::string_view haystack() const { return {haystack_bytes, haystack_size}; }
};

void LinkIndex::EntryDeleter::operator()(Entry* e) const {
  e->~Entry();
  ::operator delete(e);
}

LinkIndex::EntryPtr LinkIndex::MakeEntry(const Link& l) {
  uint32_t size = static_cast<uint32_t>(l.code.size() + 1 + l.long_url.size());
  void* raw = ::operator new(sizeof(Entry) + size);
  Entry* e = new (raw) Entry{l, l.state, l.is_file, size};
  char* p = e->haystack_bytes;
  for (char c : l.code) *p++ = c;
  *p++ = '\x01';  // keeps a match from spanning code and URL
  for (char c : l.long_url) *p++ = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return EntryPtr(e);
}

namespace {

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Substring search with a Boyer-Moore-Horspool table built once per query:
// on ~120-byte URLs it skips most bytes, where memchr+memcmp stops at every
// occurrence of the needle's first letter (an "s" in "https", say).
class NeedleSearch {
 public:
  explicit NeedleSearch(const std::string& needle)
      : needle_(needle), searcher_(needle_.begin(), needle_.end()) {}
  bool In(std::string_view haystack) const {
    if (needle_.size() > haystack.size()) return false;
    return std::search(haystack.begin(), haystack.end(), searcher_) != haystack.end();
  }

 private:
  std::string needle_;
  std::boyer_moore_horspool_searcher<std::string::const_iterator> searcher_;
};

// Entries live all over the heap; walking a million of them is bound by
// memory latency. Prefetching a few entries ahead overlaps the misses.
constexpr size_t kPrefetchAhead = 8;

bool CreatedBefore(const Link& a, const Link& b) {
  if (a.created_at_ms != b.created_at_ms) return a.created_at_ms < b.created_at_ms;
  return a.code < b.code;
}

}  // namespace

LinkIndex::LinkIndex() = default;
LinkIndex::~LinkIndex() = default;

void LinkIndex::InsertIntoOwner(Entry* entry) {
  OwnerList& list = by_owner_[entry->link.owner];
  auto pos = std::upper_bound(list.begin(), list.end(), entry, [](const Entry* a, const Entry* b) {
    return CreatedBefore(a->link, b->link);
  });
  list.insert(pos, entry);
}

LinkIndex::OwnerList::iterator LinkIndex::FindInOwner(Entry* entry) {
  OwnerList& list = by_owner_[entry->link.owner];
  auto pos = std::lower_bound(list.begin(), list.end(), entry, [](const Entry* a, const Entry* b) {
    return CreatedBefore(a->link, b->link);
  });
  return pos != list.end() && *pos == entry ? pos : list.end();
}

void LinkIndex::EraseFromOwner(Entry* entry) {
  OwnerList& list = by_owner_[entry->link.owner];
  auto pos = FindInOwner(entry);
  if (pos != list.end()) list.erase(pos);
}

void LinkIndex::Put(const Link& link) {
  EntryPtr fresh = MakeEntry(link);
  std::unique_lock lock(mu_);
  auto [it, inserted] = by_code_.try_emplace(link.code);
  if (!inserted) {
    Entry* old = it->second.get();
    // Same owner and createdAt: the new entry takes the old one's place in
    // the owner's list, so an update costs O(log n) even for a user with a
    // million links.
    if (old->link.owner == link.owner && old->link.created_at_ms == link.created_at_ms) {
      auto pos = FindInOwner(old);
      if (pos != by_owner_[link.owner].end()) {
        *pos = fresh.get();
        it->second = std::move(fresh);
        return;
      }
    }
    EraseFromOwner(old);
  }
  it->second = std::move(fresh);
  InsertIntoOwner(it->second.get());
}

void LinkIndex::Remove(std::string_view code) {
  std::unique_lock lock(mu_);
  auto it = by_code_.find(std::string(code));
  if (it == by_code_.end()) return;
  EraseFromOwner(it->second.get());
  by_code_.erase(it);
}

void LinkIndex::LoadUnsorted(Link link) {
  EntryPtr entry = MakeEntry(link);
  Entry* raw = entry.get();
  by_owner_[raw->link.owner].push_back(raw);
  by_code_[raw->link.code] = std::move(entry);
}

void LinkIndex::FinishLoad() {
  for (auto& [owner, list] : by_owner_) {
    std::sort(list.begin(), list.end(),
              [](const Entry* a, const Entry* b) { return CreatedBefore(a->link, b->link); });
  }
}

std::optional<Link> LinkIndex::Get(std::string_view code) const {
  std::shared_lock lock(mu_);
  auto it = by_code_.find(std::string(code));
  if (it == by_code_.end()) return std::nullopt;
  return it->second->link;
}

bool LinkIndex::Contains(std::string_view code) const {
  std::shared_lock lock(mu_);
  return by_code_.count(std::string(code)) != 0;
}

size_t LinkIndex::size() const {
  std::shared_lock lock(mu_);
  return by_code_.size();
}

namespace {

// Calls collect(i, &out) for every i in [0, n), prefetching ahead.
// (Scanning chunks on two threads was measured 4x slower on a 2-vCPU
// machine: the two walks compete for the same memory bandwidth and cores.)
template <typename T, typename Collect>
std::vector<T> Scan(size_t n, const Collect& collect, size_t expected) {
  std::vector<T> out;
  out.reserve(expected);
  for (size_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) collect.Prefetch(i + kPrefetchAhead);
    collect(i, &out);
  }
  return out;
}

}  // namespace

ListResult LinkIndex::List(const ListQuery& query) const {
  std::string needle = Lowercase(query.search_text);
  NeedleSearch search(needle);
  bool by_clicks = query.order_by == OrderBy::kClicks;

  ListResult result;
  std::shared_lock lock(mu_);
  auto owner_it = by_owner_.find(query.owner);
  if (owner_it == by_owner_.end()) return result;
  const OwnerList& list = owner_it->second;
  size_t page_end = query.offset + query.limit;
  bool filtered = !needle.empty() || query.state || query.is_file;

  if (!by_clicks && !filtered) {  // the count is the list's size, and only the page is read
    result.count = list.size();
    for (size_t i = query.offset; i < std::min(page_end, list.size()); ++i) {
      result.urls.push_back(list[query.ascending ? i : list.size() - 1 - i]->link);
    }
    return result;
  }

  // Every match as a sort key: its clicks (when sorting by them) and its
  // position in the owner's list, which is in (createdAt, code) order, so
  // the position alone settles ties and the createdAt order. Sorting never
  // follows an entry again: a cache miss per comparison made orderBy=clicks
  // 150 ms over HTTP at 1M links.
  struct Key {
    uint64_t clicks;
    size_t position;
  };
  struct Collect {
    const OwnerList& list;
    const ListQuery& query;
    const NeedleSearch& search;
    bool search_text;
    bool by_clicks;
    void Prefetch(size_t i) const {
      const char* tail = reinterpret_cast<const char*>(&list[i]->state);
      __builtin_prefetch(tail);
      __builtin_prefetch(tail + 64);  // a haystack spans about two cache lines
      if (by_clicks) __builtin_prefetch(&list[i]->link.clicks);
    }
    void operator()(size_t i, std::vector<Key>* out) const {
      const Entry* e = list[i];
      if (query.state && e->state != *query.state) return;
      if (query.is_file && e->is_file != *query.is_file) return;
      if (search_text && !search.In(e->haystack())) return;
      out->push_back(Key{by_clicks ? e->link.clicks : 0, i});
    }
  };
  std::vector<Key> found =
      Scan<Key>(list.size(), Collect{list, query, search, !needle.empty(), by_clicks},
                filtered ? 1024 : list.size());
  result.count = found.size();
  if (query.offset >= found.size()) return result;
  size_t stop = std::min(page_end, found.size());

  if (!by_clicks) {  // found is in ascending createdAt order already
    for (size_t i = query.offset; i < stop; ++i) {
      size_t k = query.ascending ? i : found.size() - 1 - i;
      result.urls.push_back(list[found[k].position]->link);
    }
    return result;
  }
  auto before = [asc = query.ascending](const Key& a, const Key& b) {
    if (a.clicks != b.clicks) return asc ? a.clicks < b.clicks : a.clicks > b.clicks;
    return asc ? a.position < b.position : a.position > b.position;
  };
  std::partial_sort(found.begin(), found.begin() + stop, found.end(), before);
  for (size_t i = query.offset; i < stop; ++i) result.urls.push_back(list[found[i].position]->link);
  return result;
}

}  // namespace shortlink::admin
