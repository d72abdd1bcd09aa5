// Retention (DESIGN.md §7): personal data is purged once it is older than the
// configured retention (privacy.retention), keeping what is pseudonymous.
//
// What goes:
// * an event's name, birth date (and its precision) and the authority's case
//   number (replaced by the keyed subject hash), once the event and the last
//   event of its case are older than the retention and the case is closed:
//   no alert of the subject open or acknowledged, no delivery of them
//   pending, no clock of the subject running;
// * the raw bytes of a dead letter and of a refused ack, and the quoted part
//   of a dead letter's reason (the field path stays), once older than the
//   retention.
// What stays: every row, its times, type, topic, keyed subject hash and the
// counters, so counts still add up; and the audit chain, which still
// verifies: each purge appends a record with the SHA-256 of what was purged
// (an event's record already holds its body's hash from when it was stored).
//
// Thread-safety: used from the thread that owns the Database.
#ifndef AMPARO_DAEMON_STORE_RETENTION_H_
#define AMPARO_DAEMON_STORE_RETENTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/database.h"

namespace amparo {

struct PurgeOptions {
  Instant now;
  Duration retention;
  bool dry_run = false;  // count and list, change nothing
  int limit = 1000;      // rows per table per run, so one run stays short
};

struct PurgeReport {
  int64_t events = 0;
  int64_t dead_letters = 0;
  int64_t refused_acks = 0;
  // "events event_id", "dead_letters #id", "refused_acks #id": what went (or
  // would go, in a dry run). Ids only.
  std::vector<std::string> items;
};

// Purges (or, dry_run, lists) the personal data older than the retention.
// One transaction, with one audit record per purged row.
Result<PurgeReport> PurgePersonalData(Database& db, const PurgeOptions& options);

// The event JSON `body` without personal data: subject.name, birth_date and
// birth_date_precision removed, subject.id replaced by `subject_key`. Returns
// InvalidArgument if `body` is not a JSON object with a subject.
Result<std::string> PseudonymousBody(std::string_view body, std::string_view subject_key);

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_RETENTION_H_
