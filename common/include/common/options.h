// Command-line parsing with Boost.Program_options, the same way for every
// program: flags first, then the file named by --config (key = value, keys
// as the flag names), then environment variables PREFIX_FLAG_NAME (the flag
// upper-cased, dashes as underscores). The first source that sets a value wins.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "common/result.h"

namespace shortlink {

namespace po = boost::program_options;

struct ParsedOptions {
  po::variables_map values;
  bool help = false;  // --help was given: print the description and exit 0
};

// `desc` must not declare --help or --config; they are added here.
// `positional` names options taken from bare arguments, in order (may be null).
Result<ParsedOptions> ParseOptions(const std::vector<std::string>& args,
                                   po::options_description desc, const std::string& env_prefix,
                                   const po::positional_options_description* positional = nullptr);

// "host:port" -> host and port; the port must be 1-65535 (0 allowed when
// `allow_zero`, meaning "pick a free port").
Status ParseHostPort(const std::string& text, std::string* host, unsigned short* port,
                     bool allow_zero = true);

}  // namespace shortlink
