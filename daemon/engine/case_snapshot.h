// What the engine may know about the case an event belongs to: a summary of
// the earlier events of the same subject, filled in by the caller (the
// pipeline from the store, `amparoctl test` from the simulated case).
#ifndef AMPARO_DAEMON_ENGINE_CASE_SNAPSHOT_H_
#define AMPARO_DAEMON_ENGINE_CASE_SNAPSHOT_H_

#include <optional>
#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/event/enums.h"

namespace amparo {

// A plain value; the engine only reads it.
struct CaseSnapshot {
  // When the subject first came into custody (first apprehension or
  // detention), if before this event.
  std::optional<Instant> first_custody_at;
  // How many earlier events of this subject were seen.
  int events = 0;
  // Free-form case status kept by the pipeline ("" when none).
  std::string status;
  // Every subject flag seen on an earlier event of the subject.
  std::vector<SubjectFlag> flags;
  // Roles (decision.h kRoles) already alerted for this subject.
  std::vector<std::string> alerted_roles;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_CASE_SNAPSHOT_H_
