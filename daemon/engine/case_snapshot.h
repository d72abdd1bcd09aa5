// What the engine may know about the case an event belongs to: a summary of
// the earlier events of the same subject, kept by the caller (the pipeline in
// the store, `amparoctl test` in memory) and advanced by AdvanceCase, so that
// the daemon and the rule tests remember exactly the same things.
#ifndef AMPARO_DAEMON_ENGINE_CASE_SNAPSHOT_H_
#define AMPARO_DAEMON_ENGINE_CASE_SNAPSHOT_H_

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/event/enums.h"
#include "daemon/event/event.h"

namespace amparo {

// A plain value; the engine only reads it.
struct CaseSnapshot {
  // The case's identity, which clocks of the case are keyed by (`case.key`):
  // the daemon's canonical case key (a keyed hash), the same for every
  // pseudonym linked to the case. Set by the caller, not advanced by
  // AdvanceCase; "" when the caller has none (then `case.key` is the
  // event's subject.id).
  std::string key;
  // When the subject first came into custody (first apprehension or
  // detention), if before this event.
  std::optional<Instant> first_custody_at;
  // When the CURRENT custody spell began: set by a custody event that finds
  // the subject not in custody (its custody.start, else its occurred_at),
  // cleared by a release or a return. A later spell after a release starts
  // again; first_custody_at does not.
  std::optional<Instant> custody_since;
  // How many earlier events of this subject were seen.
  int events = 0;
  // The case status the last event left: "in_custody", "transferred",
  // "released", "returned", "received" (a reception after a return, in the
  // receiving state); "" when none.
  std::string status;
  // Every subject flag seen on an earlier event of the subject (FlagsAfter).
  std::vector<SubjectFlag> flags;
  // Roles (decision.h kRoles) already alerted for this subject.
  std::vector<std::string> alerted_roles;
  // The TVPRA screening outcome of the earlier events (US-3): the latest
  // reported, except that screened_in is final (a later screening cannot
  // undo a finding that requires a transfer to ORR). Absent when never
  // screened.
  std::optional<ScreeningOutcome> tvpra_screening;
  // An earlier event reported a restitution plan (procedure.restitution_plan_id).
  bool restitution_plan = false;
  // The bounds the age evidence of the earlier events puts on the birth date
  // (AgeEvidenceAfter): the latest of their earliest possible birth dates and
  // the earliest of their latest ones. Evidence that disagrees leaves
  // born_not_before after born_not_after. An age assessment starts them over.
  std::optional<date::sys_days> born_not_before;
  std::optional<date::sys_days> born_not_after;

  bool operator==(const CaseSnapshot&) const = default;
};

// Bounds on a birth date.
struct BirthBounds {
  std::optional<date::sys_days> not_before;
  std::optional<date::sys_days> not_after;
  bool operator==(const BirthBounds&) const = default;
};

// The bounds the age evidence of `event` alone puts on the birth date:
//  * subject.birth_date, unless its precision is `estimated`: that day, or
//    the first and last days of its month or year;
//  * subject.age with a basis other than `unknown`: born between one day after
//    (years + 1) and exactly `years` years before the local date of the event;
//    except an age by `document` beside such a birth date (the same document,
//    read less precisely).
BirthBounds AgeEvidenceOf(const Event& event);

// The case's bounds once `event` is added: the tighter of the earlier ones
// and the event's, except that an `age_assessment` event whose age has basis
// `assessment` (the age determination, US-5) replaces the earlier evidence
// with its own, unless its method is a radiograph alone (dental_xray,
// skeletal_xray): radiographs may not be the only basis of a determination,
// so such an assessment only adds its evidence. Pure.
BirthBounds AgeEvidenceAfter(const CaseSnapshot& before, const Event& event);

// The flags of the case once `event` is added: those of earlier events, this
// event's, and fear_of_return when this event's TVPRA screening found a
// credible fear (a finding of fear is fear of return, for every rule and for
// disclosure). Pure.
std::vector<SubjectFlag> FlagsAfter(const CaseSnapshot& before, const Event& event);

// One case from two that turned out to be the same child (case linking):
// `older` is the case whose last event came first. Flags, alerted roles and
// age evidence are united (so evidence that disagrees across the two is an
// age conflict), events added, the first custody is the earlier, a
// screened_in of either is kept, a restitution plan of either counts; the
// status and the current custody spell are the newer case's. The key is
// `older`'s. Pure.
CaseSnapshot MergeCases(const CaseSnapshot& older, const CaseSnapshot& newer);

// The case after `event`, given the case before it and the roles alerted for
// the event (after inhibition). Pure.
CaseSnapshot AdvanceCase(const CaseSnapshot& before, const Event& event,
                         std::span<const std::string> alerted_roles);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_CASE_SNAPSHOT_H_
