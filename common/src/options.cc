#include "common/options.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace shortlink {

Result<ParsedOptions> ParseOptions(const std::vector<std::string>& args,
                                   po::options_description desc, const std::string& env_prefix,
                                   const po::positional_options_description* positional) {
  desc.add_options()("help,h", "Show this help and exit.")(
      "config", po::value<std::string>(), "Read options from this file (key = value per line).");
  ParsedOptions parsed;
  try {
    po::command_line_parser parser(args);
    parser.options(desc);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), parsed.values);
    if (parsed.values.count("help")) {
      parsed.help = true;
      return parsed;
    }
    if (parsed.values.count("config")) {
      const auto& path = parsed.values["config"].as<std::string>();
      std::ifstream file(path);
      if (!file) return MakeError(ErrorCode::kInvalidArgument, "cannot read config file " + path);
      po::store(po::parse_config_file(file, desc), parsed.values);
    }
    std::string prefix = env_prefix + "_";
    po::store(
        po::parse_environment(desc,
                              [&](const std::string& env) -> std::string {
                                if (env.rfind(prefix, 0) != 0) return "";
                                std::string name = env.substr(prefix.size());
                                std::transform(name.begin(), name.end(), name.begin(), [](char c) {
                                  return c == '_' ? '-' : static_cast<char>(std::tolower(c));
                                });
                                return desc.find_nothrow(name, false) ? name : "";
                              }),
        parsed.values);
    po::notify(parsed.values);
  } catch (const po::error& e) {
    return MakeError(ErrorCode::kInvalidArgument, e.what());
  }
  return parsed;
}

Status ParseHostPort(const std::string& text, std::string* host, unsigned short* port,
                     bool allow_zero) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "expected HOST:PORT, got '" + text + "'");
  }
  std::string port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return MakeError(ErrorCode::kInvalidArgument, "bad port in '" + text + "'");
  }
  unsigned long value = std::stoul(port_text);
  if (value > 65535 || (value == 0 && !allow_zero)) {
    return MakeError(ErrorCode::kInvalidArgument, "port out of range in '" + text + "'");
  }
  *host = text.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);
  *port = static_cast<unsigned short>(value);
  return Status::Ok();
}

}  // namespace shortlink
