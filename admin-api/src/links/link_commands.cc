#include "links/link_commands.h"

#include <simdjson.h>

#include "auth/access.h"
#include "common/log.h"
#include "links/async_submit.h"

namespace shortlink::admin {
namespace {

Error NoSuchLink(const std::string& code) {
  return MakeError(ErrorCode::kNotFound, "Short link \"" + code + "\" does not exist.");
}

// Replaces the plaintext password of each patch by its argon2id hash (and
// "" by "", a removal): only hashes reach the writer. The hashing runs on
// the hasher's threads, never on the caller's I/O thread.
boost::asio::awaitable<Status> HashPasswords(LinkApi& api, std::vector<LinkPatch*> patches) {
  std::vector<std::string> plain;
  std::vector<LinkPatch*> waiting;
  for (LinkPatch* p : patches) {
    if (!p->password) continue;
    if (p->password->empty()) {
      p->password_hash = "";
    } else {
      plain.push_back(std::move(*p->password));
      waiting.push_back(p);
    }
    p->password.reset();
  }
  if (plain.empty()) co_return Status::Ok();
  if (!api.hasher) co_return MakeError(ErrorCode::kInternal, "Internal server error");
  auto hashes = co_await api.hasher->Hash(std::move(plain));
  if (!hashes.ok()) {
    if (hashes.error().code == ErrorCode::kInternal) LogError("hashing a link password failed");
    co_return hashes.error();
  }
  for (size_t i = 0; i < waiting.size(); ++i) waiting[i]->password_hash = std::move((*hashes)[i]);
  co_return Status::Ok();
}

// Submits one mutation and answers its link.
boost::asio::awaitable<Result<Link>> SubmitOne(LinkApi& api, Mutation mutation) {
  std::vector<Mutation> mutations;
  mutations.push_back(std::move(mutation));
  auto results = co_await AsyncSubmit(*api.links, std::move(mutations));
  if (!results[0].status.ok()) co_return results[0].status.error();
  co_return std::move(results[0].link);
}

// The link (`domain`, `code`) names as `principal` may `action` it now; the
// writer checks again at commit. Another team's link is missing (404); in
// its own team a role too low is told so (403).
Result<Link> Reachable(const LinkApi& api, const auth::Principal& principal, auth::Action action,
                       const std::string& code, const std::string& domain) {
  std::optional<Link> current = api.index->Get(LinkKey{domain, code});
  if (!current || !auth::CanSee(principal, *current)) return NoSuchLink(code);
  if (auto refused = auth::Refusal(principal, action)) return *refused;
  return std::move(*current);
}

}  // namespace

Result<CreateLink> ValidateNewLink(NewLink link, uint64_t owner, const UrlPolicy& policy,
                                   int64_t now_ms) {
  Status valid = ValidateLongUrl(link.long_url, policy);
  if (!valid.ok()) return valid.error();
  CreateLink create;
  create.owner = owner;
  create.long_url = std::move(link.long_url);
  create.is_file = link.is_file;
  create.domain = std::move(link.domain);
  if (link.code) {
    auto code = NormalizeCode(*link.code);
    if (!code.ok()) return code.error();
    create.code = std::move(code).value();
  }
  create.fields = std::move(link.fields);
  if (create.fields.expires_at_ms.value_or(0) > 0 && *create.fields.expires_at_ms <= now_ms) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expiresAt is in the past: a new link would be expired at once. Give a "
                     "future time (to expire an existing link now, PATCH its expiresAt).");
  }
  // The writer checks again; checking here answers a bad link before its
  // password is hashed. A link without fields (a CSV row) has nothing to check.
  if (!create.fields.empty()) {
    Status consistent = CheckLinkPatch(create.fields, Link{});
    if (!consistent.ok()) return consistent.error();
  }
  return create;
}

Result<std::string> CodeFromPath(std::string_view param) {
  auto code = NormalizeCode(param);
  if (code.ok()) return code;
  // The segment is percent-decoded, so it may hold any bytes ("%B0"); quoted
  // as it is, they would make the error body invalid JSON, which must be
  // UTF-8 (RFC 8259): clients then fail to parse the error itself. Found by
  // tests/fuzz/api_query.
  if (!simdjson::validate_utf8(param.data(), param.size()))
    return MakeError(ErrorCode::kNotFound, "Short link does not exist.");
  return NoSuchLink(std::string(param));
}

boost::asio::awaitable<Result<Link>> CreateLinkAs(LinkApi& api, const auth::Principal& principal,
                                                  NewLink link, int64_t now_ms) {
  if (auto refused = auth::Refusal(principal, auth::Action::kCreateLink)) co_return *refused;
  auto create = ValidateNewLink(std::move(link), principal.team, api.url_policy, now_ms);
  if (!create.ok()) co_return create.error();
  create->domain_team = principal.team;  // a link on a domain only on the team's own
  // (Not `{&create->fields}`: GCC 12 miscompiles a braced list in a co_await.)
  std::vector<LinkPatch*> patches(1, &create->fields);
  Status hashed = co_await HashPasswords(api, std::move(patches));
  if (!hashed.ok()) co_return hashed.error();
  co_return co_await SubmitOne(api, std::move(create).value());
}

boost::asio::awaitable<Result<std::vector<Result<Link>>>> BulkCreateAs(
    LinkApi& api, const auth::Principal& principal, std::vector<NewLink> rows, int64_t now_ms) {
  if (auto refused = auth::Refusal(principal, auth::Action::kCreateLink)) co_return *refused;
  if (rows.empty() || rows.size() > kMaxBulkRows) {
    co_return MakeError(ErrorCode::kInvalidArgument, "urls must hold from 1 to 1000 links.");
  }
  // Rows that fail validation are answered at once; the rest commit together.
  std::vector<Result<Link>> answers;
  std::vector<size_t> submitted;  // the row of each mutation
  std::vector<Mutation> mutations;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto create = ValidateNewLink(std::move(rows[i]), principal.team, api.url_policy, now_ms);
    if (!create.ok()) {
      answers.emplace_back(create.error());
      continue;
    }
    create->domain_team = principal.team;
    answers.emplace_back(Link{});  // replaced by the commit's answer
    submitted.push_back(i);
    mutations.emplace_back(std::move(create).value());
  }
  std::vector<LinkPatch*> patches;
  size_t passwords = 0;
  for (Mutation& m : mutations) {
    LinkPatch& fields = std::get<CreateLink>(m).fields;
    passwords += fields.password && !fields.password->empty();
    patches.push_back(&fields);
  }
  if (passwords > kMaxBulkPasswords) {
    co_return MakeError(ErrorCode::kInvalidArgument,
                        "At most " + std::to_string(kMaxBulkPasswords) +
                            " rows of a bulk request may set a password.");
  }
  Status hashed = co_await HashPasswords(api, std::move(patches));
  if (!hashed.ok()) co_return hashed.error();
  if (mutations.empty()) co_return answers;
  std::vector<MutationResult> committed = co_await AsyncSubmit(*api.links, std::move(mutations));
  for (size_t j = 0; j < committed.size(); ++j) {
    Result<Link>& answer = answers[submitted[j]];
    if (committed[j].status.ok())
      answer = std::move(committed[j].link);
    else
      answer = committed[j].status.error();
  }
  co_return answers;
}

boost::asio::awaitable<Result<Link>> UpdateLinkAs(LinkApi& api, const auth::Principal& principal,
                                                  std::string_view code, LinkChange change,
                                                  std::string domain) {
  auto normalized = CodeFromPath(code);
  if (!normalized.ok()) co_return normalized.error();
  if (change.long_url) {
    Status valid = ValidateLongUrl(*change.long_url, api.url_policy);
    if (!valid.ok()) co_return valid.error();
  }
  if (!change.long_url && !change.state && change.fields.empty()) {
    co_return MakeError(ErrorCode::kInvalidArgument,
                        "Nothing to update: give longUrl, state or another field of the link.");
  }
  auto current = Reachable(api, principal, auth::Action::kUpdateLink, *normalized, domain);
  if (!current.ok()) co_return current.error();
  if (change.fields.password && !change.fields.password->empty()) {
    // Spares the hash (~50 ms of the pool) for a change the writer would
    // refuse, judged on the link as it is now; the writer judges again on
    // the link as it is at commit.
    Status consistent = CheckLinkPatch(change.fields, *current);
    if (!consistent.ok()) co_return consistent.error();
  }
  std::vector<LinkPatch*> patches(1, &change.fields);
  Status hashed = co_await HashPasswords(api, std::move(patches));
  if (!hashed.ok()) co_return hashed.error();
  UpdateLink update;
  update.owner = current->owner;
  update.code = std::move(normalized).value();
  update.domain = std::move(domain);
  update.long_url = std::move(change.long_url);
  update.state = change.state;
  update.fields = std::move(change.fields);
  co_return co_await SubmitOne(api, std::move(update));
}

boost::asio::awaitable<Result<Link>> DeleteLinkAs(LinkApi& api, const auth::Principal& principal,
                                                  std::string_view code, std::string domain) {
  auto normalized = CodeFromPath(code);
  if (!normalized.ok()) co_return normalized.error();
  auto current = Reachable(api, principal, auth::Action::kDeleteLink, *normalized, domain);
  if (!current.ok()) co_return current.error();
  // (Named, not braced in the co_await: GCC 12 miscompiles that.)
  DeleteLink del;
  del.owner = current->owner;
  del.code = std::move(normalized).value();
  del.domain = std::move(domain);
  co_return co_await SubmitOne(api, std::move(del));
}

Result<std::string> DomainFromQuery(const std::map<std::string, std::string>& query) {
  auto it = query.find("domain");
  if (it == query.end()) return std::string();
  auto domain = NormalizeDomain(it->second);
  if (!domain.ok()) return MakeError(ErrorCode::kNotFound, "Short link does not exist.");
  return domain;
}

}  // namespace shortlink::admin
