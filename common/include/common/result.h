// Result<T>: a value or an Error. GCC 12 has no std::expected in C++20 mode,
// so this is the small stand-in the whole tree uses. Errors are values: the
// edge (HTTP handler, CLI) turns them into a status code or a message once.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace shortlink {

// What went wrong, in terms an HTTP edge can map to a status code.
enum class ErrorCode {
  kInvalidArgument,  // 400: the caller sent something we refuse.
  kUnauthorized,     // 401
  kNotFound,         // 404
  kConflict,         // 400 with type ShortUrlError (the Go API's choice).
  kTooLarge,         // 413
  kRateLimited,      // 429
  kUnavailable,      // 503: storage or a dependency is down.
  kGone,             // 410: asked for history that was compacted away.
  kInternal,         // 500: a bug or an I/O error; details are logged, not shown.
  kForbidden,        // 403: known caller, not allowed (a key's scopes, a role in its own team).
  kStateConflict,    // 409: the record's state forbids it (a team that still holds links).
};

struct Error {
  ErrorCode code;
  std::string message;
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit on purpose.
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void> spelled as Status, LevelDB's name for it.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_{ErrorCode::kInternal, {}};
  bool ok_ = true;
};

}  // namespace shortlink
