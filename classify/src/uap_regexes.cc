#include "uap_regexes.h"

#include <yaml.h>

#include <fstream>
#include <sstream>
#include <string_view>

namespace shortlink::classify {
namespace {

// libyaml's event parser over one in-memory document, one event at a time.
// The event parser rather than the document loader: regexes.yaml and the
// test files are flat, and events keep no tree of 30,000 nodes around.
class YamlEvents {
 public:
  YamlEvents(const std::string& path, const std::string& text) : path_(path) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  ~YamlEvents() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  YamlEvents(const YamlEvents&) = delete;
  YamlEvents& operator=(const YamlEvents&) = delete;

  // Moves to the next event; false on a syntax error (error() says which).
  bool Next() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = yaml_parser_parse(&parser_, &event_) != 0;
    return has_event_;
  }
  yaml_event_type_t type() const { return event_.type; }
  std::string scalar() const {
    return std::string(reinterpret_cast<const char*>(event_.data.scalar.value),
                       event_.data.scalar.length);
  }
  // YAML's null: a plain (unquoted) empty, "~" or "null" value.
  bool null_scalar() const {
    if (event_.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
    std::string_view v(reinterpret_cast<const char*>(event_.data.scalar.value),
                       event_.data.scalar.length);
    return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
  }

  Error SyntaxError() const {
    return MakeError(ErrorCode::kInvalidArgument,
                     path_ + ": line " + std::to_string(parser_.problem_mark.line + 1) + ": " +
                         (parser_.problem ? parser_.problem : "YAML syntax error"));
  }
  Error Unexpected(std::string_view what) const {
    return MakeError(ErrorCode::kInvalidArgument, path_ + ": line " +
                                                      std::to_string(event_.start_mark.line + 1) +
                                                      ": expected " + std::string(what));
  }

 private:
  std::string path_;
  yaml_parser_t parser_;
  yaml_event_t event_{};
  bool has_event_ = false;
};

// Reads `events` from just after a MAPPING_START of a record to its end.
Result<YamlRecord> ReadRecord(YamlEvents& events) {
  YamlRecord record;
  for (;;) {
    if (!events.Next()) return events.SyntaxError();
    if (events.type() == YAML_MAPPING_END_EVENT) return record;
    if (events.type() != YAML_SCALAR_EVENT) return events.Unexpected("a key");
    std::string key = events.scalar();
    if (!events.Next()) return events.SyntaxError();
    if (events.type() != YAML_SCALAR_EVENT) return events.Unexpected("a scalar value");
    if (events.null_scalar()) {
      record[key] = std::nullopt;
    } else {
      record[key] = events.scalar();
    }
  }
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return MakeError(ErrorCode::kInternal, path + ": read failed");
  return std::move(text).str();
}

// The replacement keys of each list, in the order of its output fields.
constexpr std::array<const char*, 4> kAgentKeys = {"family_replacement", "v1_replacement",
                                                   "v2_replacement", "v3_replacement"};
constexpr std::array<const char*, 5> kOsKeys = {"os_replacement", "os_v1_replacement",
                                                "os_v2_replacement", "os_v3_replacement",
                                                "os_v4_replacement"};
constexpr std::array<const char*, 3> kDeviceKeys = {"device_replacement", "brand_replacement",
                                                    "model_replacement"};

template <size_t N>
Result<std::vector<UapPattern>> PatternsOf(
    const std::string& path,
    const std::map<std::string, std::vector<YamlRecord>, std::less<>>& lists, std::string_view name,
    const std::array<const char*, N>& keys) {
  auto list = lists.find(name);
  if (list == lists.end()) {
    return MakeError(ErrorCode::kInvalidArgument, path + ": no " + std::string(name));
  }
  std::vector<UapPattern> patterns;
  patterns.reserve(list->second.size());
  for (const YamlRecord& record : list->second) {
    UapPattern pattern;
    auto regex = record.find("regex");
    if (regex == record.end() || !regex->second) {
      return MakeError(ErrorCode::kInvalidArgument, path + ": " + std::string(name) + " entry " +
                                                        std::to_string(patterns.size() + 1) +
                                                        " has no regex");
    }
    pattern.regex = *regex->second;
    auto flag = record.find("regex_flag");
    pattern.ignore_case = flag != record.end() && flag->second == "i";
    for (size_t i = 0; i < N; ++i) {
      auto replacement = record.find(keys[i]);
      if (replacement != record.end()) pattern.replacement[i] = replacement->second;
    }
    patterns.push_back(std::move(pattern));
  }
  return patterns;
}

}  // namespace

Result<std::map<std::string, std::vector<YamlRecord>, std::less<>>> ReadYamlRecordLists(
    const std::string& path) {
  auto text = ReadFile(path);
  if (!text) return text.error();
  YamlEvents events(path, *text);

  // STREAM_START DOCUMENT_START MAPPING_START, then key: list pairs.
  for (auto expected :
       {YAML_STREAM_START_EVENT, YAML_DOCUMENT_START_EVENT, YAML_MAPPING_START_EVENT}) {
    if (!events.Next()) return events.SyntaxError();
    if (events.type() != expected) return events.Unexpected("a mapping of lists");
  }
  std::map<std::string, std::vector<YamlRecord>, std::less<>> lists;
  for (;;) {
    if (!events.Next()) return events.SyntaxError();
    if (events.type() == YAML_MAPPING_END_EVENT) break;
    if (events.type() != YAML_SCALAR_EVENT) return events.Unexpected("a list name");
    std::vector<YamlRecord>& records = lists[events.scalar()];
    if (!events.Next()) return events.SyntaxError();
    if (events.type() != YAML_SEQUENCE_START_EVENT) return events.Unexpected("a list");
    for (;;) {
      if (!events.Next()) return events.SyntaxError();
      if (events.type() == YAML_SEQUENCE_END_EVENT) break;
      if (events.type() != YAML_MAPPING_START_EVENT) return events.Unexpected("a mapping");
      auto record = ReadRecord(events);
      if (!record) return record.error();
      records.push_back(std::move(*record));
    }
  }
  if (!events.Next()) return events.SyntaxError();
  if (events.type() != YAML_DOCUMENT_END_EVENT) return events.Unexpected("one document");
  if (!events.Next()) return events.SyntaxError();
  if (events.type() != YAML_STREAM_END_EVENT) return events.Unexpected("one document");
  return lists;
}

Result<UapRegexes> ReadUapRegexes(const std::string& path) {
  auto lists = ReadYamlRecordLists(path);
  if (!lists) return lists.error();
  UapRegexes regexes;
  auto user_agent = PatternsOf(path, *lists, "user_agent_parsers", kAgentKeys);
  if (!user_agent) return user_agent.error();
  auto os = PatternsOf(path, *lists, "os_parsers", kOsKeys);
  if (!os) return os.error();
  auto device = PatternsOf(path, *lists, "device_parsers", kDeviceKeys);
  if (!device) return device.error();
  regexes.user_agent = std::move(*user_agent);
  regexes.os = std::move(*os);
  regexes.device = std::move(*device);
  return regexes;
}

}  // namespace shortlink::classify
