// amparoctl report: the anonymized compliance report over a period, from a
// store file (issue 13). See report.h for what is counted and suppressed.
#ifndef AMPARO_DAEMON_CTL_REPORT_COMMAND_H_
#define AMPARO_DAEMON_CTL_REPORT_COMMAND_H_

#include <ostream>
#include <string>

#include "daemon/core/exit_codes.h"  // kExitUsage: a bad period or k; kExitNoInput: no store.

namespace amparo {

struct ReportOptions {
  std::string db;             // The store (SQLite file); never created.
  std::string from;           // RFC 3339 or YYYY-MM-DD (midnight UTC), inclusive.
  std::string to;             // Likewise, exclusive; after `from`.
  std::string as_of;          // Deadlines after it are pending; default: now.
  std::string directory_dir;  // The agency directory: the state of each agency.
  int k = 5;                  // Cells under k children are withheld; at least 5.
  std::string csv;            // Files to write; with none, CSV goes to `out`.
  std::string json;
  std::string svg;
};

// Runs the report. 0 on success, kExitUsage for a bad period or k,
// kExitNoInput for a missing store, 1 when the store or directory cannot be
// read or a file not written. Messages go to `err`.
int RunReport(const ReportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_REPORT_COMMAND_H_
