// ResolutionStore: the alerts of legal clocks that stopped (the obligation
// was met), and their resolved notices (issue 9, like Alertmanager's
// "resolved").
//
// A clock's warning and expiry alerts have rule_id "{clock}:warning" and
// "{clock}:due" (delivery/clock_watcher.cc), and so do the escalations of
// them. Once the clock run they belong to has stopped, each such alert that
// is not closed yet is "resolvable". Resolving it is ONE transaction: the
// alert is closed with a new version whose payload is the resolved notice,
// and that version gets its first outbox row. The query reads only the
// store, so a notice that was due when the daemon died goes out after the
// restart.
//
// Thread-safety: used from ONE thread, the one that owns its Database.
#ifndef AMPARO_DAEMON_STORE_RESOLUTION_STORE_H_
#define AMPARO_DAEMON_STORE_RESOLUTION_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/audit_log.h"
#include "daemon/store/channel_target.h"
#include "daemon/store/database.h"
#include "daemon/store/outbox_store.h"

namespace amparo {

// The kind of an alert version that says its obligation was met.
inline constexpr const char* kResolvedKind = "resolved";

struct ResolvableAlert {
  std::string alert_id;
  std::string agency_id;
  std::string rule_id;
  int version = 1;  // The current version; the notice is version + 1.
  std::string clock_id;
  Instant stopped_at{};
};

class ResolutionStore {
 public:
  // REQUIRES: db migrated and outliving this store.
  static Result<std::unique_ptr<ResolutionStore>> Create(Database& db);

  ResolutionStore(const ResolutionStore&) = delete;
  ResolutionStore& operator=(const ResolutionStore&) = delete;
  ~ResolutionStore();

  // Alerts of stopped clock runs that are not closed, oldest first.
  Result<std::vector<ResolvableAlert>> Resolvable(int limit);
  // The query Resolvable runs, so that a test can check its plan.
  static std::string_view ResolvableSql();
  // Close `alert` with version + 1, now about its resolution (kind
  // kResolvedKind: its payload, built at send time, is the resolved notice),
  // and queue it on `channel`, in one transaction. Returns false if the alert
  // was closed meanwhile. `outbox` must be on the same Database.
  // REQUIRES: no transaction open on the connection.
  Result<bool> Resolve(const ResolvableAlert& alert, const ChannelTarget& channel, Instant now,
                       OutboxStore& outbox);

 private:
  struct Statements;
  ResolutionStore(Database& db, std::unique_ptr<Statements> statements);

  Database& db_;
  std::unique_ptr<Statements> statements_;
  std::unique_ptr<AuditLog> audit_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_RESOLUTION_STORE_H_
