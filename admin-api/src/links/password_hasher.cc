#include "links/password_hasher.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "common/password.h"

namespace shortlink::admin {

namespace asio = boost::asio;
using Hashes = Result<std::vector<std::string>>;

PasswordHasher::PasswordHasher(size_t threads, size_t max_pending)
    : pool_(threads), max_pending_(max_pending) {}

PasswordHasher::~PasswordHasher() {
  pool_.stop();
  pool_.join();
}

asio::awaitable<Hashes> PasswordHasher::Hash(std::vector<std::string> passwords) {
  const size_t n = passwords.size();
  if (n == 0) co_return std::vector<std::string>{};
  if (pending_.fetch_add(n) + n > max_pending_) {
    pending_.fetch_sub(n);
    co_return MakeError(ErrorCode::kUnavailable,
                        "Too many link passwords are being hashed; try again in a few seconds.");
  }
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>, void(Hashes)>(
      [this, n](auto handler, std::vector<std::string> passwords) {
        // One job per request, shared by its n hashes: the last one to
        // finish posts the result back to the awaiting coroutine's
        // executor, which counts the job as outstanding work meanwhile (its
        // io_context does not run out of work while a request waits here).
        auto executor = asio::prefer(asio::get_associated_executor(handler),
                                     asio::execution::outstanding_work.tracked);
        using Handler = decltype(handler);
        using Executor = decltype(executor);
        struct Job {
          Job(Handler h, Executor e, std::vector<std::string> p, size_t n)
              : handler(std::move(h)),
                executor(std::move(e)),
                passwords(std::move(p)),
                hashes(n),
                left(n) {}
          Handler handler;
          Executor executor;
          std::vector<std::string> passwords;
          std::vector<std::string> hashes;  // each slot written by one pool thread
          std::atomic<size_t> left;
          std::atomic<bool> failed{false};
        };
        auto job =
            std::make_shared<Job>(std::move(handler), std::move(executor), std::move(passwords), n);
        for (size_t i = 0; i < n; ++i) {
          asio::post(pool_, [this, job, i] {
            auto hash = HashPassword(job->passwords[i]);
            if (hash.ok())
              job->hashes[i] = std::move(hash).value();
            else
              job->failed = true;
            pending_.fetch_sub(1);
            // fetch_sub orders this thread's slot before the last thread's read.
            if (job->left.fetch_sub(1) != 1) return;
            asio::post(job->executor, [job] {
              Hashes result = job->failed
                                  ? Hashes(MakeError(ErrorCode::kInternal, "Internal server error"))
                                  : Hashes(std::move(job->hashes));
              std::move(job->handler)(std::move(result));
            });
          });
        }
      },
      asio::use_awaitable, std::move(passwords));
}

}  // namespace shortlink::admin
