#include "edge/answerer.h"

#include <cstring>

#include "table/host_name.h"

namespace shortlink::redirector {
namespace {

constexpr int kMaxPipelined = 32;  // requests answered per pass

}  // namespace

Answerer::Answerer(const Responder* responder, const LinkTable* table,
                   ClientAddressSource client_address, WorkerStats* stats, ThreadClicks* clicks,
                   uint64_t seed, const HttpsPolicy* https)
    : responder_(responder),
      table_(table),
      client_address_(client_address),
      stats_(stats),
      clicks_(clicks),
      rng_state_(seed),
      https_(https) {}

Answerer::Answered Answerer::Answer(Connection* c, std::string_view date, int64_t now_ms,
                                    PasswordCheck* check) {
  if (c->in_len == 0) return Answered::kNothing;  // (and a new connection still owes a head)
  size_t consumed = 0;
  size_t out_before = c->out_len;
  for (int handled = 0; handled < kMaxPipelined && !c->closing; ++handled) {
    if (c->out_len + kMaxResponseBytes + kMaxHstsHeaderBytes > kOutBufferBytes) break;
    if (consumed == c->in_len || !HeadReady(c, consumed)) break;
    RequestHead head;
    ParseStatus status =
        ParseRequestHead(std::string_view(c->in + consumed, c->in_len - consumed), &head);
    if (status == ParseStatus::kIncomplete) break;
    ResponseInfo info;
    if (status == ParseStatus::kOk) {
      size_t body_end = consumed + head.length + head.content_length;
      if (body_end > c->in_len) break;  // a form's body is still on its way
      VisitFacts facts;
      facts.client_address =
          ClientAddress(client_address_, head, std::string_view(c->peer, c->peer_len));
      facts.random = NextRandom();
      std::string hash;
      facts.password_hash = &hash;
      if (c->has_verdict) {
        facts.password = c->verdict.password;
        facts.password_throttled = c->verdict.throttled;
      }
      size_t n = RedirectToHttps(c, head, date, c->out + c->out_len, &info);
      if (n == 0)
        n = responder_->Respond(head, *table_, date, c->out + c->out_len, c->key, &info, facts);
      if (info.outcome == Outcome::kPasswordCheck) {
        // Answers already made go out first; then this request is checked.
        if (c->out_len == 0) {
          // Both views point into `in`, which moves below: copy them first.
          check->hash = std::move(hash);
          check->form.assign(c->in + consumed + head.length, head.content_length);
          check->client.assign(facts.client_address);
          ConsumeInput(c, consumed);
          c->verifying = true;
          return Answered::kChecking;
        }
        break;
      }
      c->has_verdict = false;
      c->out_len += AddHsts(c, head, c->out + c->out_len, n);
      consumed = body_end;
      if (info.outcome == Outcome::kError) c->closing = true;  // a 405 says Connection: close
      c->scanned = 0;
      if (!head.keep_alive) c->closing = true;
      // A header's address is text; the peer's, raw bytes.
      Count(info, &head, facts.client_address, facts.client_address.data() != c->peer);
    } else {
      c->out_len += responder_->RespondError(status, date, c->out + c->out_len, &info);
      c->closing = true;  // the stream's framing can no longer be trusted
      Count(info);
    }
  }
  ConsumeInput(c, consumed);
  c->head_started_ms = c->in_len > 0 ? (c->head_started_ms ? c->head_started_ms : now_ms) : 0;
  if (consumed > 0 && c->in_len > 0) c->head_started_ms = now_ms;  // the next pipelined head
  return c->out_len > out_before ? Answered::kAnswered : Answered::kNothing;
}

size_t Answerer::RedirectToHttps(const Connection* c, const RequestHead& head,
                                 std::string_view date, char* out, ResponseInfo* info) const {
  if (c->ssl || !https_ || https_->redirect.empty()) return 0;
  char buffer[kMaxDomainLength];
  std::string_view host = HostName(head.host, buffer);
  if (!https_->redirect.Matches(host)) return 0;
  return responder_->RedirectToHttps(head, host, date, out, info);
}

size_t Answerer::AddHsts(const Connection* c, const RequestHead& head, char* out, size_t n) const {
  if (!c->ssl || !https_ || https_->hsts.empty()) return n;
  char buffer[kMaxDomainLength];
  if (!https_->hsts.Matches(HostName(head.host, buffer))) return n;
  const char* line_end = static_cast<const char*>(memchr(out, '\n', n));
  if (!line_end) return n;
  size_t at = static_cast<size_t>(line_end - out) + 1;  // after the status line
  const std::string& header = https_->hsts_header;
  memmove(out + at + header.size(), out + at, n - at);
  memcpy(out + at, header.data(), header.size());
  return n + header.size();
}

void Answerer::Count(const ResponseInfo& info, const RequestHead* head, std::string_view address,
                     bool address_is_text) {
  if (info.status >= 500)
    Bump(stats_->responses_5xx);
  else if (info.status == 404)
    Bump(stats_->responses_404);
  else if (info.status >= 400)
    Bump(stats_->responses_4xx_other);
  else if (info.status >= 300)
    Bump(stats_->responses_3xx);
  else
    Bump(stats_->responses_2xx);
  // The responder asked the click policy (rules/click_policy.h), for
  // every visit alike; recording its answer is all that is left here.
  if (info.counted != VisitCount::kNotCounted && head && clicks_->visits_enabled()) {
    VisitRecord visit;
    visit.bot = info.counted == VisitCount::kBot;
    visit.domain = info.domain;
    visit.code = info.code;
    visit.address = address;
    visit.address_is_text = address_is_text;
    visit.user_agent = head->user_agent;
    visit.referer = head->referer;
    visit.accept_language = head->accept_language;
    if (size_t q = head->target.find('?'); q != std::string_view::npos)
      visit.query = head->target.substr(q + 1);
    clicks_->RecordVisit(visit);
  } else if (info.counted == VisitCount::kClick) {
    clicks_->Record(info.domain, info.code);
  } else if (info.counted == VisitCount::kBot) {
    clicks_->RecordBot();
  }
  switch (info.outcome) {
    case Outcome::kHit:
      Bump(stats_->hits);
      break;
    case Outcome::kMiss:
    case Outcome::kInactive:
      Bump(stats_->misses);
      break;
    case Outcome::kUnsafeTarget:
      Bump(stats_->unsafe_targets);
      break;
    default:
      break;
  }
}

}  // namespace shortlink::redirector
