// CaseStore: the per-subject case summary the engine reads as a CaseSnapshot
// and the pipeline rewrites after each event (DESIGN.md §4, §7).
//
// A case is keyed by the subject's keyed hash, never by personal data. The
// pipeline computes the whole new row and WriteCase replaces the old one; it
// runs inside the caller's transaction (ProcessingStore::CommitProcessing), so
// a case never moves ahead of the event that changed it.
#ifndef AMPARO_DAEMON_STORE_CASE_STORE_H_
#define AMPARO_DAEMON_STORE_CASE_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/engine/case_snapshot.h"
#include "daemon/store/database.h"

namespace amparo {

// The new state of a case after an event.
struct CaseRecord {
  std::string subject_key;    // Keyed hash of the subject.
  CaseSnapshot state;         // What the engine reads back (LoadCase).
  Instant last_event_at{};    // occurred_at of the newest event.
  std::string country;        // Where the subject was last seen (ISO 3166-1).
  std::string admin1;         // ISO 3166-2, "" when unknown.
  std::string facility_type;  // Wire name, "" when unknown.
};

// Thread-safety: used from ONE thread, the one that owns the Database it was
// created on; it holds its own prepared statements.
class CaseStore {
 public:
  // Compile the statements on `db`. REQUIRES: db migrated (RunMigrations) and
  // outliving this store.
  static Result<std::unique_ptr<CaseStore>> Create(Database& db);

  CaseStore(const CaseStore&) = delete;
  CaseStore& operator=(const CaseStore&) = delete;
  ~CaseStore();

  // Return the snapshot of the case of `subject_key`, read through its link
  // (store/case_links.h: a linked key reads its canonical case), with `key`
  // the canonical case key: an empty snapshot with that key if the case has
  // no row yet. Returns Corruption if a stored flag is unknown.
  Result<CaseSnapshot> LoadCase(std::string_view subject_key);
  // Insert or replace the case row `record.subject_key`, stamped `now`. Meant
  // to run inside the caller's transaction. Returns InvalidArgument for an
  // empty subject_key.
  Status WriteCase(const CaseRecord& record, Instant now);

 private:
  struct Statements;

  explicit CaseStore(std::unique_ptr<Statements> statements);

  std::unique_ptr<Statements> statements_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_CASE_STORE_H_
