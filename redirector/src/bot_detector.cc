#include "bot_detector.h"

#include <array>

namespace shortlink::redirector {
namespace {

// Lowercase tokens; the generic ones ("bot", "crawler", "spider") cover
// Googlebot, bingbot, Slackbot, Twitterbot, TelegramBot, Discordbot and
// LinkedInBot too, but the names stay listed so the intent is plain.
constexpr std::array<std::string_view, 14> kTokens = {
    "googlebot",   "bingbot",  "slackbot",    "facebookexternalhit",
    "twitterbot",  "whatsapp", "telegrambot", "discordbot",
    "linkedinbot", "bot",      "crawler",     "spider",
    "preview",     "slurp",
};

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ContainsLower(std::string_view haystack, std::string_view token) {
  if (token.size() > haystack.size()) return false;
  for (size_t i = 0; i + token.size() <= haystack.size(); ++i) {
    size_t j = 0;
    while (j < token.size() && Lower(haystack[i + j]) == token[j]) ++j;
    if (j == token.size()) return true;
  }
  return false;
}

}  // namespace

bool IsBot(std::string_view user_agent) {
  for (std::string_view token : kTokens) {
    if (ContainsLower(user_agent, token)) return true;
  }
  return false;
}

}  // namespace shortlink::redirector
