// PasswordVerifier: checks passwords POSTed to protected links, off the
// edge's worker threads (an argon2id check takes tens of milliseconds and
// 19 MiB), and limits guesses per client address.
//
// Limits: kMaxGuesses wrong guesses per address per kGuessWindow (the
// window opens at the first wrong one); at most kMaxQueued checks waiting
// at once. Over either limit the visitor is answered 429 at once, without
// hashing, so that neither one address nor a crowd can tie up the node's
// CPU.
//
// Only wrong guesses count: people behind one NAT who know the password
// are never locked out by each other's right answers. A check still in
// progress counts until its verdict (a right one then gives its place
// back), so a burst of guesses sent at once cannot outrun the limit.
// A right answer does not clear the wrong ones: the count is per address,
// not per link, and a guesser who knows one link's password could
// otherwise clear it between guesses at another link's.
//
// Thread safety: Verify from any thread; `done` runs on a pool thread.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rules/rule_engine.h"

namespace shortlink::redirector {

// The password of an application/x-www-form-urlencoded body ("password=..."),
// or nullopt when there is none.
std::optional<std::string> PasswordFromForm(std::string_view body);

class PasswordVerifier {
 public:
  static constexpr int kMaxGuesses = 5;
  static constexpr std::chrono::seconds kGuessWindow{60};
  static constexpr int kMaxQueued = 64;

  explicit PasswordVerifier(int threads);
  ~PasswordVerifier();  // Stop()

  struct Verdict {
    PasswordState password = PasswordState::kRefused;
    bool throttled = false;  // not checked: too many guesses or too busy
  };
  using Done = std::function<void(Verdict)>;

  // Checks `form_body`'s password against `hash` for a visitor at `client`.
  void Verify(std::string hash, std::string form_body, std::string client, Done done);
  // Lets checks in progress finish, drops none: each `done` runs. Idempotent.
  void Stop();

 private:
  bool Admit(const std::string& client);               // false: throttled
  void Settle(const std::string& client, bool right);  // a check admitted by Admit has ended

  boost::asio::thread_pool pool_;
  std::mutex mu_;
  struct Guesses {
    std::chrono::steady_clock::time_point start;  // of the window: the first wrong guess
    int wrong = 0;                                // in the window
    int pending = 0;                              // checks admitted, verdict not yet known
  };
  std::unordered_map<std::string, Guesses> guesses_;  // GUARDED_BY(mu_)
  int queued_ = 0;                                    // GUARDED_BY(mu_)
};

}  // namespace shortlink::redirector
