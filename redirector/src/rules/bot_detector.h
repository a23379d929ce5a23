// Which visits are not clicks: crawlers and link-preview fetchers, told
// apart by their User-Agent. Allocation-free; case-insensitive.
#pragma once

#include <string_view>

namespace shortlink::redirector {

// True for known bots and previewers (Googlebot, bingbot, Slackbot,
// facebookexternalhit, Twitterbot, WhatsApp, TelegramBot, Discordbot,
// LinkedInBot) and any agent naming itself bot, crawler or spider.
// An empty User-Agent is not a bot: many privacy tools send none.
bool IsBot(std::string_view user_agent);

}  // namespace shortlink::redirector
