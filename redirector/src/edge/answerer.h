// Answerer: answers the complete requests waiting in a connection's input,
// writing the responses into its output, and counts each one (responses by
// status, hits and misses, and the click or bot hit the click policy named:
// rules/click_policy.h). It neither reads nor writes a socket: the worker
// (edge/worker.h) does, around it.
//
// Per request: one parse, one Responder::Respond, no allocation, no lock.
// A POST with a password stops the run: the request waits, unanswered, for
// the verifier (off this thread), and is answered by the next Answer once
// the verdict is in the connection.
//
// Thread safety: one per worker, used by its thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "clicks/click_counter.h"
#include "edge/client_address.h"
#include "edge/connection.h"
#include "edge/https_policy.h"
#include "edge/responder.h"
#include "edge/worker_stats.h"
#include "table/link_table.h"

namespace shortlink::redirector {

// A password to check for a waiting request (copied out of the input).
struct PasswordCheck {
  std::string hash;
  std::string form;    // the POSTed body
  std::string client;  // the visitor's address, for the guess limit
};

class Answerer {
 public:
  // `https` may be null: no host moves to HTTPS.
  Answerer(const Responder* responder, const LinkTable* table, ClientAddressSource client_address,
           WorkerStats* stats, ThreadClicks* clicks, uint64_t seed,
           const HttpsPolicy* https = nullptr);

  enum class Answered {
    kNothing,   // no complete request (or no room for an answer)
    kAnswered,  // answers were added to the output
    kChecking,  // `check` holds a password to verify; the connection is `verifying`
  };
  // Answers what `c` holds, up to a pipeline's worth and the output's room;
  // `date` is the preformatted Date value, `now_ms` the loop's clock.
  Answered Answer(Connection* c, std::string_view date, int64_t now_ms, PasswordCheck* check);

 private:
  // `head` and `address`: the request's, for click analytics; null for a
  // request that could not be parsed.
  void Count(const ResponseInfo& info, const RequestHead* head = nullptr,
             std::string_view address = {}, bool address_is_text = false);
  // The HTTPS policy's part of an answer: a 308 to HTTPS written at `out`
  // (its length; 0 when the request is answered as usual).
  size_t RedirectToHttps(const Connection* c, const RequestHead& head, std::string_view date,
                         char* out, ResponseInfo* info) const;
  // Adds HSTS after the status line of the `n` bytes at `out`, when due;
  // returns the new length.
  size_t AddHsts(const Connection* c, const RequestHead& head, char* out, size_t n) const;
  uint32_t NextRandom() {  // xorshift64: A/B buckets need a random number, not a secure one
    rng_state_ ^= rng_state_ << 13;
    rng_state_ ^= rng_state_ >> 7;
    rng_state_ ^= rng_state_ << 17;
    return static_cast<uint32_t>(rng_state_ >> 32);
  }

  const Responder* responder_;
  const LinkTable* table_;
  const ClientAddressSource client_address_;
  WorkerStats* stats_;
  ThreadClicks* clicks_;
  uint64_t rng_state_;
  const HttpsPolicy* https_;
};

}  // namespace shortlink::redirector
