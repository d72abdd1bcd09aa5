#include "daemon/ctl/store_commands.h"

#include <filesystem>

#include "daemon/app/config.h"
#include "daemon/core/duration.h"
#include "daemon/core/exit_codes.h"
#include "daemon/event/rfc3339.h"
#include "daemon/store/audit_log.h"
#include "daemon/store/event_store.h"
#include "daemon/store/retention.h"

namespace amparo {
namespace {

// 0 if `path` is an existing regular file, else the exit code after saying why.
int CheckDbFile(const std::string& path, std::ostream& out) {
  std::error_code ec;
  if (path.empty()) {
    out << "--db: required\n";
    return kExitUsage;
  }
  if (!std::filesystem::is_regular_file(path, ec)) {
    out << path << ": no such database file\n";
    return kExitNoInput;
  }
  return kExitOk;
}

}  // namespace

int RunAuditVerify(const AuditVerifyOptions& options, std::ostream& out) {
  if (int rc = CheckDbFile(options.db_path, out); rc != kExitOk) return rc;
  // Through the store, so that a database of an older schema gets the audit
  // tables (empty: nothing to verify) rather than an error.
  Result<std::unique_ptr<EventStore>> store = EventStore::Open({.path = options.db_path});
  if (!store.ok()) {
    out << options.db_path << ": " << store.status().message() << "\n";
    return kExitIoErr;
  }
  Result<AuditVerification> v = VerifyAuditChain((*store)->db());
  if (!v.ok()) {
    out << options.db_path << ": " << v.status().message() << "\n";
    return kExitIoErr;
  }
  if (v->broken_seq) {
    out << "audit chain BROKEN at seq " << *v->broken_seq << ": " << v->problem << "\n";
    return kExitFinding;
  }
  out << "audit chain OK: " << v->records << " records"
      << (v->records > 0 ? ", head " + v->head_hash : std::string()) << "\n";
  return kExitOk;
}

int RunPurge(const PurgeCommandOptions& options, std::ostream& out) {
  if (int rc = CheckDbFile(options.db_path, out); rc != kExitOk) return rc;
  Instant now = SystemClock().Now();
  if (!options.now.empty()) {
    Result<Timestamp> t = ParseRfc3339(options.now);
    if (!t.ok()) {
      out << "--now " << options.now << ": " << t.status().message() << "\n";
      return kExitUsage;
    }
    now = t->utc;
  }
  Duration retention = Config().privacy.retention;
  if (!options.config_file.empty()) {
    Result<Config> config = LoadConfigFile(options.config_file);
    if (!config.ok()) {
      out << options.config_file << ": invalid configuration:\n"
          << config.status().message() << "\n";
      return kExitConfig;
    }
    retention = config->privacy.retention;
  }
  if (!options.retention.empty()) {
    Result<Duration> d = ParseDuration(options.retention);
    if (!d.ok() || *d < std::chrono::hours(24)) {
      out << "--retention " << options.retention << ": a duration of at least 1d, e.g. 365d\n";
      return kExitUsage;
    }
    retention = *d;
  }
  Result<std::unique_ptr<EventStore>> store = EventStore::Open({.path = options.db_path});
  if (!store.ok()) {
    out << options.db_path << ": " << store.status().message() << "\n";
    return kExitIoErr;
  }
  PurgeReport total;
  for (;;) {
    Result<PurgeReport> report = PurgePersonalData(
        (*store)->db(), {.now = now, .retention = retention, .dry_run = options.dry_run});
    if (!report.ok()) {
      out << options.db_path << ": " << report.status().message() << "\n";
      return kExitIoErr;
    }
    total.events += report->events;
    total.dead_letters += report->dead_letters;
    total.refused_acks += report->refused_acks;
    for (std::string& item : report->items) total.items.push_back(std::move(item));
    // A dry run changes nothing, so one batch is all it can list; a purge
    // goes on while there is more.
    if (options.dry_run || report->items.empty()) break;
  }
  for (const std::string& item : total.items) {
    out << (options.dry_run ? "would purge " : "purged ") << item << "\n";
  }
  out << (options.dry_run ? "dry run: would purge" : "purged") << " the personal data of "
      << total.events << " events, " << total.dead_letters << " dead letters, "
      << total.refused_acks << " refused acks older than " << FormatDuration(retention) << "\n";
  return kExitOk;
}

}  // namespace amparo
