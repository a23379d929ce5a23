// Structured logs: one JSON object per line on stderr, so that journald,
// Loki or jq can read them. Thread-safe; a line is written with one write(2).
//
//   LogInfo("link created", {{"code", code}, {"owner", std::to_string(id)}});
//
// Never pass secrets (API keys, node tokens) as fields.
#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

namespace shortlink {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

using LogField = std::pair<std::string_view, std::string_view>;

void SetLogLevel(LogLevel level);
bool ParseLogLevel(std::string_view text, LogLevel* level);
void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

inline void LogDebug(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kDebug, m, f);
}
inline void LogInfo(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarn(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarn, m, f);
}
inline void LogError(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, m, f);
}

}  // namespace shortlink
