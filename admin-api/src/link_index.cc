#include "link_index.h"

#include <string.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace shortlink::admin {

struct LinkIndex::Entry {
  Link link;
  // Lowercased longUrl, kept only when it differs from longUrl: most URLs
  // are lowercase already, and a second copy of each would double memory.
  std::string lower_url;

  std::string_view SearchableUrl() const { return lower_url.empty() ? link.long_url : lower_url; }
};

namespace {

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool HasSubstring(std::string_view haystack, std::string_view needle) {
  return memmem(haystack.data(), haystack.size(), needle.data(), needle.size()) != nullptr;
}

bool CreatedBefore(const Link& a, const Link& b) {
  if (a.created_at_ms != b.created_at_ms) return a.created_at_ms < b.created_at_ms;
  return a.code < b.code;
}

}  // namespace

LinkIndex::LinkIndex() = default;
LinkIndex::~LinkIndex() = default;

void LinkIndex::InsertIntoOwner(Entry* entry) {
  OwnerList& list = by_owner_[entry->link.owner];
  auto pos = std::upper_bound(list.begin(), list.end(), entry,
                              [](const Entry* a, const Entry* b) { return CreatedBefore(a->link, b->link); });
  list.insert(pos, entry);
}

void LinkIndex::EraseFromOwner(Entry* entry) {
  OwnerList& list = by_owner_[entry->link.owner];
  auto pos = std::lower_bound(list.begin(), list.end(), entry,
                              [](const Entry* a, const Entry* b) { return CreatedBefore(a->link, b->link); });
  if (pos != list.end() && *pos == entry) list.erase(pos);
}

void LinkIndex::Put(const Link& link) {
  std::string lower = Lowercase(link.long_url);
  if (lower == link.long_url) lower.clear();
  std::unique_lock lock(mu_);
  auto [it, inserted] = by_code_.try_emplace(link.code);
  if (!inserted) {
    Entry* entry = it->second.get();
    // Same owner and createdAt: the entry keeps its place in the owner's
    // list, so an update costs O(1) even for a user with a million links.
    if (entry->link.owner == link.owner && entry->link.created_at_ms == link.created_at_ms) {
      entry->link = link;
      entry->lower_url = std::move(lower);
      return;
    }
    EraseFromOwner(entry);
  }
  it->second = std::make_unique<Entry>();
  Entry* entry = it->second.get();
  entry->link = link;
  entry->lower_url = std::move(lower);
  InsertIntoOwner(entry);
}

void LinkIndex::Remove(std::string_view code) {
  std::unique_lock lock(mu_);
  auto it = by_code_.find(std::string(code));
  if (it == by_code_.end()) return;
  EraseFromOwner(it->second.get());
  by_code_.erase(it);
}

void LinkIndex::LoadUnsorted(Link link) {
  auto entry = std::make_unique<Entry>();
  std::string lower = Lowercase(link.long_url);
  if (lower != link.long_url) entry->lower_url = std::move(lower);
  entry->link = std::move(link);
  Entry* raw = entry.get();
  by_owner_[raw->link.owner].push_back(raw);
  by_code_[raw->link.code] = std::move(entry);
}

void LinkIndex::FinishLoad() {
  for (auto& [owner, list] : by_owner_) {
    std::sort(list.begin(), list.end(), [](const Entry* a, const Entry* b) { return CreatedBefore(a->link, b->link); });
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

ListResult LinkIndex::List(const ListQuery& query) const {
  std::string needle = Lowercase(query.search_text);
  auto matches = [&](const Entry* e) {
    if (query.state && e->link.state != *query.state) return false;
    if (query.is_file && e->link.is_file != *query.is_file) return false;
    if (!needle.empty() && !HasSubstring(e->link.code, needle) && !HasSubstring(e->SearchableUrl(), needle)) return false;
    return true;
  };

  ListResult result;
  std::shared_lock lock(mu_);
  auto owner_it = by_owner_.find(query.owner);
  if (owner_it == by_owner_.end()) return result;
  const OwnerList& list = owner_it->second;
  size_t end = query.offset + query.limit;

  if (query.order_by == OrderBy::kCreatedAt) {
    // The list is already in createdAt order: walk it in the asked direction,
    // counting every match and keeping those in [offset, offset + limit).
    auto visit = [&](const Entry* e) {
      if (!matches(e)) return;
      if (result.count >= query.offset && result.count < end) result.urls.push_back(e->link);
      ++result.count;
    };
    if (query.ascending) {
      for (const Entry* e : list) visit(e);
    } else {
      for (auto it = list.rbegin(); it != list.rend(); ++it) visit(*it);
    }
    return result;
  }

  // By clicks: gather matches, then sort only the page asked for.
  std::vector<const Entry*> found;
  found.reserve(needle.empty() && !query.state && !query.is_file ? list.size() : 1024);
  for (const Entry* e : list) {
    if (matches(e)) found.push_back(e);
  }
  result.count = found.size();
  if (query.offset >= found.size()) return result;
  auto before = [asc = query.ascending](const Entry* a, const Entry* b) {
    if (a->link.clicks != b->link.clicks) return asc ? a->link.clicks < b->link.clicks : a->link.clicks > b->link.clicks;
    return asc ? CreatedBefore(a->link, b->link) : CreatedBefore(b->link, a->link);
  };
  size_t stop = std::min(end, found.size());
  std::partial_sort(found.begin(), found.begin() + stop, found.end(), before);
  for (size_t i = query.offset; i < stop; ++i) result.urls.push_back(found[i]->link);
  return result;
}

}  // namespace shortlink::admin
