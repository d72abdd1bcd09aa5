// CaseLinks: one case for one child across authorities and pseudonyms
// (issue 16 item 1; DOMAIN.md (c) `subject_pid` is authority-scoped).
//
// An event may name the earlier pseudonyms of its subject
// (`subject.previous_ids`) or, on a transfer, the receiving agency's case
// number (`transfer.to.case_id`). Each pseudonym is a subject key (keyed
// hash, never the pseudonym itself). The table `case_aliases` maps every key
// linked to a case to the case's canonical key; a key without a row is its
// own case. Rows always point at a canonical key, so resolving a key is one
// lookup, and a cycle of links (A names B, later B names A) finds both in
// one case already and changes nothing.
//
// Linking is planned before the event is decided (Plan: reads only) and
// written in the event's own transaction (Apply, from
// ProcessingStore::CommitProcessing), so the engine decides on the merged
// case and a crash leaves either both the link and the event or neither.
//
// A merge of two cases that both have state keeps the case seen first in
// the event's order (previous cases, then the event's own, then the
// receiving case): the flags, alerted roles and age evidence are united
// (MergeCases), the other case's alerts, running clocks and recorded
// cancellations move to the kept key, and its case row is removed. Two open
// alerts of one rule to one agency cannot both move (one open alert per
// (rule, case, agency)): the other's stays under its old key, which
// LoadCase and the claim cancellation still resolve to the kept case. Of two
// clocks of one id running for the two cases, the one started first keeps
// running (the earlier deadline) and the other is stopped.
//
// Thread-safety: used from ONE thread, the one that owns the Database it was
// created on; it holds its own prepared statements.
#ifndef AMPARO_DAEMON_STORE_CASE_LINKS_H_
#define AMPARO_DAEMON_STORE_CASE_LINKS_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/engine/case_snapshot.h"
#include "daemon/store/case_store.h"
#include "daemon/store/database.h"

namespace amparo {

// The subject keys an event links to its own.
struct LinkedKeys {
  std::vector<std::string> previous;   // subject.previous_ids, hashed, in order.
  std::vector<std::string> receiving;  // transfer.to.case_id, hashed.
  bool empty() const { return previous.empty() && receiving.empty(); }
};

// The case of one event, with what linking must write for it.
struct CaseLinkPlan {
  std::string subject_key;  // The event's own subject key.
  std::string case_key;     // The canonical key of its case after linking.
  // The case before the event: merged when cases were merged; key = case_key.
  CaseSnapshot snapshot;
  // Keys to point at case_key (absent or pointing elsewhere before).
  std::vector<std::string> aliases;
  // Canonical keys of cases with state merged into case_key.
  std::vector<std::string> absorbed;
  // Linked keys that named no case amparo knew: recorded as aliases, so that
  // events arriving later under them join this case; nothing was merged.
  std::vector<std::string> unknown;

  // True when Apply has anything to write.
  bool changes() const { return !aliases.empty() || !absorbed.empty(); }
};

class CaseLinks {
 public:
  // Compile the statements on `db`. REQUIRES: db migrated (RunMigrations),
  // `db` and `cases` outliving this object.
  static Result<std::unique_ptr<CaseLinks>> Create(Database& db, CaseStore& cases);

  CaseLinks(const CaseLinks&) = delete;
  CaseLinks& operator=(const CaseLinks&) = delete;
  ~CaseLinks();

  // Return the canonical case key of `subject_key` (itself when unlinked).
  Result<std::string> CaseKeyOf(std::string_view subject_key);

  // Resolve the case of an event of `subject_key` that links `linked`: its
  // canonical key, the (merged) case before the event, and what Apply must
  // write. Reads only. Returns Corruption for an unreadable case row.
  Result<CaseLinkPlan> Plan(std::string_view subject_key, const LinkedKeys& linked);

  // Write `plan` for event `event_id` at `now`: the aliases, and the merge
  // of every absorbed case into plan.case_key. Meant to run inside the
  // caller's transaction, before the case row of plan.case_key is written.
  Status Apply(const CaseLinkPlan& plan, std::string_view event_id, Instant now);

 private:
  struct Statements;

  CaseLinks(CaseStore& cases, std::unique_ptr<Statements> statements);
  // The last_event_at of the case row `case_key`, or nullopt without one.
  Result<std::optional<int64_t>> LastEventAt(std::string_view case_key);

  CaseStore& cases_;
  std::unique_ptr<Statements> statements_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_CASE_LINKS_H_
