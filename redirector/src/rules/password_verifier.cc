#include "rules/password_verifier.h"

#include <boost/asio/post.hpp>
#include <boost/url/parse_query.hpp>

#include "common/password.h"

namespace shortlink::redirector {

std::optional<std::string> PasswordFromForm(std::string_view body) {
  auto params = boost::urls::parse_query(body);
  if (!params) return std::nullopt;
  boost::urls::encoding_opts form;
  form.space_as_plus = true;  // HTML forms encode spaces as '+'
  for (const auto& param : *params) {
    if (param.key.decode(form) != "password" || !param.has_value) continue;
    std::string password = param.value.decode(form);
    if (password.size() > kMaxPasswordBytes) return std::nullopt;
    return password;
  }
  return std::nullopt;
}

PasswordVerifier::PasswordVerifier(int threads) : pool_(static_cast<size_t>(threads)) {}

PasswordVerifier::~PasswordVerifier() { Stop(); }

void PasswordVerifier::Stop() { pool_.join(); }

bool PasswordVerifier::Admit(const std::string& client) {
  std::lock_guard lock(mu_);
  if (queued_ >= kMaxQueued) return false;
  auto now = std::chrono::steady_clock::now();
  if (guesses_.size() > 100'000) {
    // Forget windows that have ended, so that spoofed-looking floods of
    // addresses cannot grow the map without bound.
    std::erase_if(guesses_, [&](const auto& kv) {
      return kv.second.pending == 0 && now - kv.second.start >= kGuessWindow;
    });
  }
  Guesses& g = guesses_[client];
  if (g.wrong > 0 && now - g.start >= kGuessWindow) g.wrong = 0;
  if (g.wrong + g.pending >= kMaxGuesses) return false;
  ++g.pending;
  ++queued_;
  return true;
}

void PasswordVerifier::Settle(const std::string& client, bool right) {
  std::lock_guard lock(mu_);
  --queued_;
  auto it = guesses_.find(client);
  if (it == guesses_.end()) return;  // cannot happen: entries with checks pending are kept
  Guesses& g = it->second;
  --g.pending;
  if (!right) {
    auto now = std::chrono::steady_clock::now();
    if (g.wrong == 0 || now - g.start >= kGuessWindow) g = Guesses{now, 0, g.pending};
    ++g.wrong;
  } else if (g.wrong == 0 && g.pending == 0) {
    guesses_.erase(it);  // nothing to remember: keeps the map to addresses that guessed wrong
  }
}

void PasswordVerifier::Verify(std::string hash, std::string form_body, std::string client,
                              Done done) {
  if (!Admit(client)) {
    boost::asio::post(pool_, [done = std::move(done)] {
      done(Verdict{PasswordState::kRefused, true});
    });
    return;
  }
  boost::asio::post(pool_, [this, hash = std::move(hash), body = std::move(form_body),
                            client = std::move(client), done = std::move(done)] {
    std::optional<std::string> password = PasswordFromForm(body);
    bool ok = password && VerifyPassword(hash, *password);
    Settle(client, ok);
    done(Verdict{ok ? PasswordState::kAccepted : PasswordState::kRefused, false});
  });
}

}  // namespace shortlink::redirector
