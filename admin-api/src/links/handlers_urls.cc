#include <boost/json.hpp>
#include <charconv>

#include "auth/access.h"
#include "common/clock.h"
#include "common/log.h"
#include "http/json_input.h"
#include "links/async_submit.h"
#include "links/link_json.h"
#include "links/link_patch.h"
#include "links/link_routes.h"
#include "links/link_rules_json.h"

namespace shortlink::admin {
namespace {

constexpr size_t kMaxListLimit = 1000;
constexpr size_t kMaxBulkRows = 1000;
// Each password costs ~50 ms of a hashing thread: 100 of them keep the two
// threads of the pool busy for ~2.5 s, about what one request may ask.
constexpr size_t kMaxBulkPasswords = 100;

// The keys of each body besides kLinkPatchFields (OnlyKnownFields).
constexpr std::string_view kCreateFields[] = {"longUrl", "shortUrl"};
constexpr std::string_view kUpdateFields[] = {"longUrl", "state"};
constexpr std::string_view kBulkFields[] = {"urls"};

Result<size_t> ParseCount(const std::string& name, const std::string& text, size_t min,
                          size_t max) {
  size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return MakeError(ErrorCode::kInvalidArgument, name + " must be a whole number from " +
                                                      std::to_string(min) + " to " +
                                                      std::to_string(max) + ".");
  }
  return value;
}

// Replaces the plaintext password of each patch by its argon2id hash (and
// "" by "", a removal): only hashes reach the writer. The hashing runs on
// ctx.hasher's threads, never on this I/O thread.
boost::asio::awaitable<Status> HashPasswords(LinkApi& ctx, std::vector<LinkPatch*> patches) {
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
  if (!ctx.hasher) co_return MakeError(ErrorCode::kInternal, "Internal server error");
  auto hashes = co_await ctx.hasher->Hash(std::move(plain));
  if (!hashes.ok()) {
    if (hashes.error().code == ErrorCode::kInternal) LogError("hashing a link password failed");
    co_return hashes.error();
  }
  for (size_t i = 0; i < waiting.size(); ++i) waiting[i]->password_hash = std::move((*hashes)[i]);
  co_return Status::Ok();
}

}  // namespace

Result<ListQuery> ParseListQuery(const std::map<std::string, std::string>& query, uint64_t owner) {
  ListQuery q;
  q.owner = owner;
  for (const auto& [key, value] : query) {
    if (key == "limit") {
      auto v = ParseCount("limit", value, 1, kMaxListLimit);
      if (!v.ok()) return v.error();
      q.limit = *v;
    } else if (key == "offset") {
      auto v = ParseCount("offset", value, 0, 1'000'000'000);
      if (!v.ok()) return v.error();
      q.offset = *v;
    } else if (key == "searchText") {
      if (value.size() > kMaxUrlLength)
        return MakeError(ErrorCode::kInvalidArgument, "searchText is too long.");
      q.search_text = value;
    } else if (key == "state") {
      LinkState state;
      if (!ParseLinkState(value, &state)) {
        return MakeError(ErrorCode::kInvalidArgument, "state must be ACTIVE or INACTIVE.");
      }
      q.state = state;
    } else if (key == "orderBy") {
      if (value == "createdAt")
        q.order_by = OrderBy::kCreatedAt;
      else if (value == "clicks")
        q.order_by = OrderBy::kClicks;
      else
        return MakeError(ErrorCode::kInvalidArgument, "orderBy must be createdAt or clicks.");
    } else if (key == "sortDirection") {
      if (value == "asc")
        q.ascending = true;
      else if (value == "desc")
        q.ascending = false;
      else
        return MakeError(ErrorCode::kInvalidArgument, "sortDirection must be desc or asc.");
    } else if (key == "isFile") {
      if (value == "true")
        q.is_file = true;
      else if (value == "false")
        q.is_file = false;
      else
        return MakeError(ErrorCode::kInvalidArgument, "isFile must be true or false.");
    } else if (key == "hidden") {
      if (value == "true")
        q.include_hidden = true;
      else if (value == "false")
        q.include_hidden = false;
      else
        return MakeError(ErrorCode::kInvalidArgument, "hidden must be true or false.");
    } else if (key == "tag") {
      if (value.empty() || value.size() > kMaxTagBytes) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "tag must be from 1 to " + std::to_string(kMaxTagBytes) + " bytes.");
      }
      q.tag = value;
    }
    // Other parameters (cache busters, tracing) are ignored, as most APIs do.
  }
  return q;
}

Result<CreateLink> ParseCreateLink(const simdjson::dom::object& obj, const UrlPolicy& policy,
                                   uint64_t owner, int64_t now_ms) {
  Status known = OnlyKnownFields(obj, kCreateFields, kLinkPatchFields);
  if (!known.ok()) return known.error();
  auto long_url = OptionalString(obj, "longUrl");
  if (!long_url.ok()) return long_url.error();
  if (!*long_url) return MakeError(ErrorCode::kInvalidArgument, "longUrl is required.");
  Status valid = ValidateLongUrl(**long_url, policy);
  if (!valid.ok()) return valid.error();
  auto short_url = OptionalString(obj, "shortUrl");
  if (!short_url.ok()) return short_url.error();
  CreateLink create;
  create.owner = owner;
  create.long_url = std::move(**long_url);
  if (*short_url) {
    auto code = NormalizeCode(**short_url);
    if (!code.ok()) return code.error();
    create.code = std::move(code).value();
  }
  auto fields = ParseLinkPatch(obj, policy);
  if (!fields.ok()) return fields.error();
  create.fields = std::move(fields).value();
  if (create.fields.expires_at_ms.value_or(0) > 0 && *create.fields.expires_at_ms <= now_ms) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expiresAt is in the past: a new link would be expired at once. Give a "
                     "future time (to expire an existing link now, PATCH its expiresAt).");
  }
  // The writer checks again; checking here answers a bad body before its
  // password is hashed.
  Status consistent = CheckLinkPatch(create.fields, Link{});
  if (!consistent.ok()) return consistent.error();
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
  return MakeError(ErrorCode::kNotFound,
                   "Short link \"" + std::string(param) + "\" does not exist.");
}

namespace {

Reply NoSuchLink(const RequestContext& rc, const std::string& code) {
  return rc.Error(ErrorCode::kNotFound, "Short link \"" + code + "\" does not exist.");
}

Awaitable ListUrls(LinkApi& ctx, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kListLinks))
    co_return rc.Error(ErrorCode::kNotFound, "Not found.");
  auto query = ParseListQuery(rc.query, rc.principal->user);
  if (!query.ok()) co_return rc.Error(query.error());
  ListResult result = ctx.index->List(*query);
  boost::json::array urls;
  urls.reserve(result.urls.size());
  for (const Link& link : result.urls) urls.push_back(LinkToJson(link));
  boost::json::object body;
  body["urls"] = std::move(urls);
  body["count"] = result.count;
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

Awaitable CreateUrl(LinkApi& ctx, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kCreateLink))
    co_return rc.Error(ErrorCode::kNotFound, "Not found.");
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  auto create = ParseCreateLink(*obj, ctx.url_policy, rc.principal->user, NowMillis());
  if (!create.ok()) co_return rc.Error(create.error());
  // (Not `{&create->fields}`: GCC 12 miscompiles a braced list in a co_await.)
  std::vector<LinkPatch*> patches(1, &create->fields);
  Status hashed = co_await HashPasswords(ctx, std::move(patches));
  if (!hashed.ok()) co_return rc.Error(hashed.error());
  std::vector<Mutation> mutations;
  mutations.emplace_back(std::move(create).value());
  auto results = co_await AsyncSubmit(*ctx.links, std::move(mutations));
  if (!results[0].status.ok()) co_return rc.Error(results[0].status.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(LinkToJson(results[0].link)));
}

Awaitable BulkCreateUrls(LinkApi& ctx, RequestContext& rc) {
  if (!auth::Allow(*rc.principal, auth::Action::kCreateLink))
    co_return rc.Error(ErrorCode::kNotFound, "Not found.");
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  Status known = OnlyKnownFields(*obj, kBulkFields);
  if (!known.ok()) co_return rc.Error(known.error());
  simdjson::dom::array rows;
  if ((*obj)["urls"].get(rows)) {
    co_return rc.Error(ErrorCode::kInvalidArgument,
                       "Body must be {\"urls\": [{\"longUrl\": ..., \"shortUrl\": ...}, ...]}.");
  }
  if (rows.size() == 0 || rows.size() > kMaxBulkRows) {
    co_return rc.Error(ErrorCode::kInvalidArgument, "urls must hold from 1 to 1000 links.");
  }
  // Rows that fail validation are answered at once; the rest commit together.
  std::vector<std::optional<Error>> row_errors;
  std::vector<Mutation> mutations;
  const int64_t now_ms = NowMillis();
  for (simdjson::dom::element row : rows) {
    simdjson::dom::object row_obj;
    if (row.get(row_obj)) {
      row_errors.emplace_back(
          MakeError(ErrorCode::kInvalidArgument, "Each row must be an object."));
      continue;
    }
    auto create = ParseCreateLink(row_obj, ctx.url_policy, rc.principal->user, now_ms);
    if (!create.ok()) {
      row_errors.emplace_back(create.error());
      continue;
    }
    row_errors.emplace_back(std::nullopt);
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
    co_return rc.Error(ErrorCode::kInvalidArgument,
                       "At most " + std::to_string(kMaxBulkPasswords) +
                           " rows of a bulk request may set a password.");
  }
  Status hashed = co_await HashPasswords(ctx, std::move(patches));
  if (!hashed.ok()) co_return rc.Error(hashed.error());
  std::vector<MutationResult> committed;
  if (!mutations.empty()) committed = co_await AsyncSubmit(*ctx.links, std::move(mutations));

  boost::json::array results;
  size_t created = 0, next_committed = 0;
  for (size_t i = 0; i < row_errors.size(); ++i) {
    boost::json::object r;
    r["index"] = i;
    std::optional<Error> error = row_errors[i];
    if (!error) {
      const MutationResult& m = committed[next_committed++];
      if (m.status.ok()) {
        r["status"] = 200;
        r["url"] = LinkToJson(m.link);
        ++created;
      } else {
        error = m.status.error();
      }
    }
    if (error) {
      r["status"] = static_cast<int>(StatusFor(error->code));
      r["message"] = error->message;
      if (error->code == ErrorCode::kConflict) r["type"] = "ShortUrlError";
    }
    results.push_back(std::move(r));
  }
  boost::json::object body;
  body["results"] = std::move(results);
  body["created"] = created;
  body["failed"] = row_errors.size() - created;
  co_return rc.Json(http::status::ok, boost::json::serialize(body));
}

Awaitable GetUrl(LinkApi& ctx, RequestContext& rc) {
  auto code = CodeFromPath(rc.param);
  if (!code.ok()) co_return rc.Error(code.error());
  auto link = ctx.index->Get(*code);
  if (!link || !auth::CanSee(*rc.principal, *link)) co_return NoSuchLink(rc, *code);
  co_return rc.Json(http::status::ok, boost::json::serialize(LinkToJson(*link)));
}

Awaitable UpdateUrl(LinkApi& ctx, RequestContext& rc) {
  auto code = CodeFromPath(rc.param);
  if (!code.ok()) co_return rc.Error(code.error());
  auto obj = ParseJsonObject(rc.req.body());
  if (!obj.ok()) co_return rc.Error(obj.error());
  Status known = OnlyKnownFields(*obj, kUpdateFields, kLinkPatchFields);
  if (!known.ok()) co_return rc.Error(known.error());
  UpdateLink update;
  update.owner = rc.principal->user;
  update.code = *code;
  auto long_url = OptionalString(*obj, "longUrl");
  if (!long_url.ok()) co_return rc.Error(long_url.error());
  if (*long_url) {
    Status valid = ValidateLongUrl(**long_url, ctx.url_policy);
    if (!valid.ok()) co_return rc.Error(valid.error());
    update.long_url = std::move(**long_url);
  }
  auto state = OptionalString(*obj, "state");
  if (!state.ok()) co_return rc.Error(state.error());
  if (*state) {
    LinkState parsed;
    if (!ParseLinkState(**state, &parsed)) {
      co_return rc.Error(ErrorCode::kInvalidArgument, "state must be ACTIVE or INACTIVE.");
    }
    update.state = parsed;
  }
  auto fields = ParseLinkPatch(*obj, ctx.url_policy);
  if (!fields.ok()) co_return rc.Error(fields.error());
  update.fields = std::move(fields).value();
  if (!update.long_url && !update.state && update.fields.empty()) {
    co_return rc.Error(ErrorCode::kInvalidArgument,
                       "Nothing to update: give longUrl, state or another field of the link.");
  }
  if (update.fields.password && !update.fields.password->empty()) {
    // Spares the hash (~50 ms of the pool) for a request the writer would
    // refuse, judged on the link as it is now; the writer judges again on
    // the link as it is at commit.
    auto current = ctx.index->Get(*code);
    if (!current || !auth::Allow(*rc.principal, auth::Action::kUpdateLink, *current))
      co_return NoSuchLink(rc, *code);
    Status consistent = CheckLinkPatch(update.fields, *current);
    if (!consistent.ok()) co_return rc.Error(consistent.error());
  }
  std::vector<LinkPatch*> patches(1, &update.fields);
  Status hashed = co_await HashPasswords(ctx, std::move(patches));
  if (!hashed.ok()) co_return rc.Error(hashed.error());
  std::vector<Mutation> mutations;
  mutations.emplace_back(std::move(update));
  auto results = co_await AsyncSubmit(*ctx.links, std::move(mutations));
  if (!results[0].status.ok()) co_return rc.Error(results[0].status.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(LinkToJson(results[0].link)));
}

Awaitable DeleteUrl(LinkApi& ctx, RequestContext& rc) {
  auto code = CodeFromPath(rc.param);
  if (!code.ok()) co_return rc.Error(code.error());
  std::vector<Mutation> mutations;
  mutations.emplace_back(DeleteLink{rc.principal->user, *code});
  auto results = co_await AsyncSubmit(*ctx.links, std::move(mutations));
  if (!results[0].status.ok()) co_return rc.Error(results[0].status.error());
  co_return rc.Json(http::status::ok, boost::json::serialize(LinkToJson(results[0].link)));
}

}  // namespace

void RegisterLinkRoutes(Router& router, LinkApi& api) {
  using http::verb;
  router.Add({verb::get, "/api/v1/urls", Auth::kApiKey, Bind(api, ListUrls)});
  router.Add({verb::post, "/api/v1/urls", Auth::kApiKey, Bind(api, CreateUrl)});
  router.Add({verb::post, "/api/v1/urls/bulk", Auth::kApiKey, Bind(api, BulkCreateUrls)});
  router.Add({verb::get, "/api/v1/urls/{shortUrl}", Auth::kApiKey, Bind(api, GetUrl)});
  router.Add({verb::patch, "/api/v1/urls/{shortUrl}", Auth::kApiKey, Bind(api, UpdateUrl)});
  router.Add({verb::delete_, "/api/v1/urls/{shortUrl}", Auth::kApiKey, Bind(api, DeleteUrl)});
}

}  // namespace shortlink::admin
