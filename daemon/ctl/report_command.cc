#include "daemon/ctl/report_command.h"

#include <filesystem>
#include <fstream>
#include <regex>

#include "daemon/ctl/report.h"
#include "daemon/ctl/report_output.h"
#include "daemon/ctl/rule_files.h"
#include "daemon/event/rfc3339.h"
#include "daemon/store/database.h"
#include "daemon/store/report_query.h"

namespace amparo {

namespace {

// "2026-03-01" is midnight UTC; anything else must be RFC 3339.
Result<Instant> ParseInstant(const std::string& text) {
  static const std::regex kDay(R"(\d{4}-\d{2}-\d{2})");
  const std::string full = std::regex_match(text, kDay) ? text + "T00:00:00Z" : text;
  Result<Timestamp> t = ParseRfc3339(full);
  if (!t.ok()) return t.status();
  return t->utc;
}

bool WriteFile(const std::string& path, const std::string& text, std::ostream& err) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) {
    err << "amparoctl report: cannot write " << path << "\n";
    return false;
  }
  return true;
}

}  // namespace

int RunReport(const ReportOptions& options, std::ostream& out, std::ostream& err) {
  Result<Instant> from = ParseInstant(options.from);
  Result<Instant> to = ParseInstant(options.to);
  if (!from.ok() || !to.ok()) {
    err << "amparoctl report: --from and --to take YYYY-MM-DD or RFC 3339: "
        << (!from.ok() ? from.status().message() : to.status().message()) << "\n";
    return kExitUsage;
  }
  if (*to <= *from) {
    err << "amparoctl report: the period is empty: --to " << options.to << " is not after --from "
        << options.from << "\n";
    return kExitUsage;
  }
  Instant as_of = std::chrono::floor<Duration>(std::chrono::system_clock::now());
  if (!options.as_of.empty()) {
    Result<Instant> t = ParseInstant(options.as_of);
    if (!t.ok()) {
      err << "amparoctl report: --as-of: " << t.status().message() << "\n";
      return kExitUsage;
    }
    as_of = *t;
  }
  if (options.k < kMinCellChildren) {
    err << "amparoctl report: --k " << options.k << " is below " << kMinCellChildren
        << ": cells that small could single out a child\n";
    return kExitUsage;
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(options.db, ec)) {
    err << "amparoctl report: no store file " << options.db << "\n";
    return kExitNoInput;
  }

  Diagnostics diags;
  auto directory = LoadDirectoryFolder(options.directory_dir, &diags);
  if (!directory.ok() || !diags.empty()) {
    err << diags.ToString() << "amparoctl report: the directory " << options.directory_dir
        << " does not load\n";
    return 1;
  }
  Result<std::unique_ptr<Database>> db = Database::Open(options.db, DatabaseOptions{});
  if (!db.ok()) {
    err << "amparoctl report: " << db.status().ToString() << "\n";
    return 1;
  }
  ReportQuery query(**db);
  ReportInput input;
  input.from = *from;
  input.to = *to;
  input.as_of = as_of;
  input.k = options.k;
  Result<std::vector<AlertFact>> alerts = query.Alerts(*from, *to);
  Result<std::vector<DeadLetterFact>> dead = query.DeadLetters(*from, *to);
  if (!alerts.ok() || !dead.ok()) {
    err << "amparoctl report: the store cannot be read: "
        << (!alerts.ok() ? alerts.status() : dead.status()).ToString() << "\n";
    return 1;
  }
  input.alerts = std::move(alerts).value();
  input.dead_letters = std::move(dead).value();
  for (const AlertFact& f : input.alerts) {
    if (const Agency* a = (*directory)->Find(f.agency_id))
      input.agency_state[f.agency_id] = a->country;
  }
  const Report report = BuildReport(input);

  bool ok = true;
  if (!options.csv.empty()) ok = WriteFile(options.csv, ReportCsv(report), err) && ok;
  if (!options.json.empty()) ok = WriteFile(options.json, ReportJson(report), err) && ok;
  if (!options.svg.empty()) ok = WriteFile(options.svg, ReportSvg(report), err) && ok;
  if (options.csv.empty() && options.json.empty() && options.svg.empty()) {
    out << ReportCsv(report);
  }
  return ok ? 0 : 1;
}

}  // namespace amparo
