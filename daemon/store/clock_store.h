// ClockStore: the legal clocks the rules start and stop (DESIGN.md §4, §6).
//
// At most one clock runs per (clock_id, key), enforced by a partial UNIQUE
// index; a stopped clock stays as history, and the same (clock_id, key) may
// run again later. The daemon rebuilds its timers from Running() and
// NextDueAt() at start, so a clock survives any restart.
#ifndef AMPARO_DAEMON_STORE_CLOCK_STORE_H_
#define AMPARO_DAEMON_STORE_CLOCK_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/keyed_hash.h"
#include "daemon/core/status.h"
#include "daemon/engine/decision.h"
#include "daemon/engine/evaluator.h"
#include "daemon/store/database.h"

namespace amparo {

struct ClockRecord {
  std::string clock_id;
  std::string key;
  std::string subject_key;
  std::string event_id;  // The event that started it.
  Instant started_at{};
  std::optional<Instant> warn_at;
  Instant due_at{};
  bool running = true;
  bool warned = false;
  bool expired = false;
  std::vector<std::string> roles;  // Notified on warning and on expiry.
  std::optional<Instant> stopped_at;
};

// The engine's view of a stored clock (DueClockFirings, DecideClockFiring).
RunningClock ToRunningClock(const ClockRecord& record);

// Thread-safety: used from ONE thread, the one that owns the Database it was
// created on; it holds its own prepared statements.
class ClockStore {
 public:
  // Compile the statements on `db`. REQUIRES: db migrated and outliving this store.
  static Result<std::unique_ptr<ClockStore>> Create(Database& db);

  ClockStore(const ClockStore&) = delete;
  ClockStore& operator=(const ClockStore&) = delete;
  ~ClockStore();

  // Start clock `op` (a ClockOp::Op::kStart) for event `event_id` of
  // `subject_key`. Returns true if it started, false if that (clock_id, key)
  // is already running (a no-op). Returns InvalidArgument for a stop op.
  Result<bool> Start(const ClockOp& op, std::string_view subject_key, std::string_view event_id);
  // Stop the running clock (clock_id, key) at `at`. Returns true if one was
  // running, false otherwise (a no-op).
  Result<bool> Stop(std::string_view clock_id, std::string_view key, Instant at);
  // Return every running clock, earliest due first.
  Result<std::vector<ClockRecord>> Running();
  // Return the running clock (clock_id, key), or nullopt (one lookup in
  // the unique index of running clocks).
  Result<std::optional<ClockRecord>> FindRunning(std::string_view clock_id, std::string_view key);
  // Mark the running clock (clock_id, key) warned. Returns NotFound if none runs.
  Status MarkWarned(std::string_view clock_id, std::string_view key);
  // Mark the running clock (clock_id, key) expired. Returns NotFound if none runs.
  Status MarkExpired(std::string_view clock_id, std::string_view key);
  // Rekey running clocks started before case linking (schema 13), keyed by
  // the raw subject.id where the rules now key them by `case.key`: a clock
  // whose key hashes (`hasher`) to its own subject_key takes the
  // subject_key as key, so that the events after the upgrade stop it.
  // Idempotent; returns how many it rekeyed.
  Result<int> AdoptCaseKeys(const SubjectHasher& hasher);
  // Return the next instant a running clock needs attention: its warning if
  // not yet warned, else its due time if not yet expired. Nullopt if none.
  Result<std::optional<Instant>> NextDueAt();
  // The query NextDueAt runs, so that a test can check its plan uses the
  // partial indexes of migration 5.
  static std::string_view NextDueAtSql();
  // Return the running clocks with a warning or an expiry due by `now`,
  // earliest firing first, at most `limit`: what the watcher fires, read
  // through the same indexes, however many clocks run.
  Result<std::vector<ClockRecord>> DueBy(Instant now, int limit);
  // The query DueBy runs, for the same plan test.
  static std::string_view DueBySql();

 private:
  struct Statements;

  ClockStore(Database& db, std::unique_ptr<Statements> statements);
  Result<bool> RunChanged(Statement& statement);
  Status MarkRunning(Statement& update, std::string_view clock_id, std::string_view key);

  Database& db_;
  std::unique_ptr<Statements> statements_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_CLOCK_STORE_H_
