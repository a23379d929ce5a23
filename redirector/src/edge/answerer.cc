#include "edge/answerer.h"

namespace shortlink::redirector {
namespace {

constexpr int kMaxPipelined = 32;  // requests answered per pass

}  // namespace

Answerer::Answerer(const Responder* responder, const LinkTable* table,
                   ClientAddressSource client_address, WorkerStats* stats, ThreadClicks* clicks,
                   uint64_t seed)
    : responder_(responder),
      table_(table),
      client_address_(client_address),
      stats_(stats),
      clicks_(clicks),
      rng_state_(seed) {}

Answerer::Answered Answerer::Answer(Connection* c, std::string_view date, int64_t now_ms,
                                    PasswordCheck* check) {
  if (c->in_len == 0) return Answered::kNothing;  // (and a new connection still owes a head)
  size_t consumed = 0;
  size_t out_before = c->out_len;
  for (int handled = 0; handled < kMaxPipelined && !c->closing; ++handled) {
    if (c->out_len + kMaxResponseBytes > kOutBufferBytes) break;
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
      size_t n =
          responder_->Respond(head, *table_, date, c->out + c->out_len, c->key, &info, facts);
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
      c->out_len += n;
      consumed = body_end;
      if (info.outcome == Outcome::kError) c->closing = true;  // a 405 says Connection: close
      c->scanned = 0;
      if (!head.keep_alive) c->closing = true;
      Count(info);
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

void Answerer::Count(const ResponseInfo& info) {
  if (info.status >= 500)
    Bump(stats_->responses_5xx);
  else if (info.status == 404)
    Bump(stats_->responses_404);
  else if (info.status >= 400)
    Bump(stats_->responses_4xx_other);
  else
    Bump(stats_->responses_2xx_3xx);
  // The responder asked the click policy (rules/click_policy.h), for
  // every visit alike; recording its answer is all that is left here.
  switch (info.counted) {
    case VisitCount::kClick:
      clicks_->Record(info.domain, info.code);
      break;
    case VisitCount::kBot:
      clicks_->RecordBot();
      break;
    case VisitCount::kNotCounted:
      break;
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
