#include "links/importer.h"

#include <future>
#include <memory>

#include "auth/access.h"
#include "common/validation.h"
#include "links/link_commands.h"

namespace shortlink::admin {
namespace {

constexpr size_t kRowsPerSubmit = 4096;  // one group commit each

}  // namespace

bool SplitCsvLine(std::string_view line, std::vector<std::string>* fields) {
  fields->clear();
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields->push_back(std::move(field));
      field.clear();
    } else {
      field.push_back(c);
    }
  }
  fields->push_back(std::move(field));
  return !quoted;
}

Result<ImportReport> ImportCsv(std::istream& csv, const auth::Principal& principal,
                               const UrlPolicy& policy, LinkService* links, int64_t now_ms,
                               const std::function<void(uint64_t rows)>& progress) {
  if (!auth::Allow(principal, auth::Action::kCreateLink))
    return MakeError(ErrorCode::kNotFound, "this user may not create links");
  ImportReport report;
  std::string line;
  std::vector<std::string> fields;
  if (!std::getline(csv, line))
    return MakeError(ErrorCode::kInvalidArgument, "the CSV file is empty");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0)
    line.erase(0, 3);  // UTF-8 BOM from spreadsheets
  // An optional third column puts each link on one of the team's custom
  // domains (empty: the default domain).
  if (!SplitCsvLine(line, &fields) || fields.size() < 2 || fields.size() > 3 ||
      fields[0] != "shortUrl" || fields[1] != "longUrl" ||
      (fields.size() == 3 && fields[2] != "domain")) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "the first line must be the header shortUrl,longUrl or shortUrl,longUrl,domain");
  }
  const size_t columns = fields.size();

  auto reject = [&](uint64_t line_no, const std::string& why) {
    ++report.rejected_total;
    if (report.rejected.size() < kMaxRejectedShown) {
      report.rejected.push_back("line " + std::to_string(line_no) + ": " + why);
    }
  };
  // Rows are parsed and validated here while the writer commits the batch
  // before: one batch in flight, whose results are read before the next is
  // submitted (so a storage failure still stops the import at that batch).
  std::vector<Mutation> pending;
  std::vector<uint64_t> pending_lines;
  std::future<std::vector<MutationResult>> in_flight;
  std::vector<uint64_t> in_flight_lines;
  auto settle = [&]() -> Status {
    if (!in_flight.valid()) return Status::Ok();
    auto results = in_flight.get();
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].status.ok()) {
        ++report.imported;
      } else if (results[i].status.error().code == ErrorCode::kUnavailable ||
                 results[i].status.error().code == ErrorCode::kInternal) {
        return results[i].status;  // storage failed: stop, do not pretend
      } else {
        reject(in_flight_lines[i], results[i].status.error().message);
      }
    }
    return Status::Ok();
  };
  auto flush = [&]() -> Status {
    if (Status s = settle(); !s.ok()) return s;
    if (pending.empty()) return Status::Ok();
    auto promise = std::make_shared<std::promise<std::vector<MutationResult>>>();
    in_flight = promise->get_future();
    in_flight_lines = std::move(pending_lines);
    links->Submit(std::move(pending), [promise](std::vector<MutationResult> results) {
      promise->set_value(std::move(results));
    });
    pending.clear();
    pending_lines.clear();
    return Status::Ok();
  };

  uint64_t line_no = 1;
  while (std::getline(csv, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    ++report.rows;
    if (!SplitCsvLine(line, &fields) || fields.size() != columns) {
      reject(line_no, columns == 2 ? "expected two fields: shortUrl,longUrl"
                                   : "expected three fields: shortUrl,longUrl,domain");
      continue;
    }
    NewLink row;
    if (!fields[0].empty()) row.code = std::move(fields[0]);  // else a random code
    row.long_url = std::move(fields[1]);
    if (columns == 3 && !fields[2].empty()) {
      auto domain = NormalizeDomain(fields[2]);
      if (!domain.ok()) {
        reject(line_no, domain.error().message);
        continue;
      }
      row.domain = std::move(domain).value();
    }
    auto create = ValidateNewLink(std::move(row), principal.team, policy, now_ms);
    if (!create.ok()) {
      reject(line_no, create.error().message);
      continue;
    }
    create->domain_team = principal.team;  // only the team's own domains, checked at commit
    pending.emplace_back(std::move(create).value());
    pending_lines.push_back(line_no);
    if (pending.size() >= kRowsPerSubmit) {
      if (Status s = flush(); !s.ok()) return s.error();
      if (progress) progress(report.rows);
    }
  }
  if (Status s = flush(); !s.ok()) return s.error();
  if (Status s = settle(); !s.ok()) return s.error();
  if (progress) progress(report.rows);
  return report;
}

}  // namespace shortlink::admin
