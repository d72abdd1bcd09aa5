// The amparoctl commands on the daemon's SQLite file:
//
//  * `audit verify --db PATH`: checks the audit hash chain (store/audit_log.h)
//    and prints "audit chain OK: N records, head H" or the first broken row,
//    "audit chain BROKEN at seq S: what is wrong". Exit 0 whole, 1 broken.
//  * `purge --db PATH [--dry-run] [--now T] [--retention D | --config F]`:
//    purges the personal data older than the retention (store/retention.h)
//    as the daemon's hourly job does, or with --dry-run lists what would go
//    and changes nothing. --now (RFC 3339) stands in for the present; the
//    retention is --retention, else the config's privacy.retention, else 365d.
//
// Both exit 66 (EX_NOINPUT) when PATH is not a file, 74 (EX_IOERR) when it
// cannot be read or written, 64 on a bad --now or --retention.
#ifndef AMPARO_DAEMON_CTL_STORE_COMMANDS_H_
#define AMPARO_DAEMON_CTL_STORE_COMMANDS_H_

#include <ostream>
#include <string>

namespace amparo {

struct AuditVerifyOptions {
  std::string db_path;
};

int RunAuditVerify(const AuditVerifyOptions& options, std::ostream& out);

struct PurgeCommandOptions {
  std::string db_path;
  bool dry_run = false;
  std::string now;          // RFC 3339; empty: the system clock
  std::string retention;    // e.g. "365d"; empty: the config's or 365d
  std::string config_file;  // empty: none
};

int RunPurge(const PurgeCommandOptions& options, std::ostream& out);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_STORE_COMMANDS_H_
