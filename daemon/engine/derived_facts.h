// Facts the engine derives from an event and its case before evaluating the
// rules, so that rules stay readable (DESIGN.md §4).
#ifndef AMPARO_DAEMON_ENGINE_DERIVED_FACTS_H_
#define AMPARO_DAEMON_ENGINE_DERIVED_FACTS_H_

#include <cstdint>
#include <optional>

#include "daemon/engine/case_snapshot.h"
#include "daemon/engine/engine_options.h"
#include "daemon/event/event.h"

namespace amparo {

struct DerivedFacts {
  // subject.age_years: whole years from subject.birth_date to the LOCAL date
  // of occurred_at (Timestamp::LocalDate, so a birthday counts from local
  // midnight; a 29 February birthday counts from 1 March in other years),
  // else subject.age.years; absent when neither is known. A birth date known
  // only to the month or the year counts from the LAST day of that month or
  // year: in doubt, the child is the younger (MX-5, US-5).
  std::optional<int> age_years;
  // subject.age_doubtful: no document-based age, i.e. no birth_date with
  // precision "exact" (the default) and no age with basis "document".
  bool age_doubtful = true;
  // subject.minor, the presumption of minority: age_years < minor_age, OR the
  // age is unknown, OR the age is doubtful and age_years < minor_age +
  // doubtful_margin_years.
  // It is also true while the age evidence conflicts (age_conflict): the
  // presumption of minority holds until an age assessment decides.
  bool minor = true;
  // subject.age_conflict: the age evidence of this event and of the earlier
  // events of the case since the last age assessment (AgeEvidenceAfter)
  // disagrees about minority on the local date of the event: one piece says
  // the subject is certainly under minor_age (even at its oldest reading),
  // another that the subject is certainly of age (even at its youngest).
  // E.g. a declared 16 against a passport that makes the subject 19, or a
  // document of a 16-year-old against a declared 19. It makes the age
  // doubtful and the subject a minor (MX-5, US-5).
  bool age_conflict = false;
  // case.age_conflict: the evidence of the earlier events alone already
  // conflicts on this event's local date (so the conflict is not new).
  bool case_age_conflict = false;
  // subject.unaccompanied_or_separated (CRC GC6 ¶¶7-8; and, for a child who
  // is not a US national, a UAC under 6 USC 279(g)(2)): the accompaniment is
  // unaccompanied, separated or unknown, OR "accompanied" with companions
  // listed and none of them a parent or legal guardian (a child with only a
  // relative or an unrelated adult). The publisher's "accompanied" is not
  // trusted over its own companion list.
  bool unaccompanied_or_separated = true;
  // subject.tender_age: age_years < tender_age_below. False when the age is
  // unknown: an unknown age is presumed minor, not presumed tender.
  bool tender_age = false;
  // custody.hours: whole hours from the first custody instant (the case's
  // first_custody_at, or this event if it is the first apprehension or
  // detention) to occurred_at; absent when the subject was never in custody.
  std::optional<int64_t> custody_hours;
  // event.local_hour (0-23) and event.local_weekday (ISO: 1 = Monday .. 7 =
  // Sunday) of occurred_at, at the offset it was written with.
  int local_hour = 0;
  int local_weekday = 1;
  // return.local_hour and return.local_weekday: of return.scheduled_at when
  // given, else of occurred_at; absent without a return block.
  std::optional<int> return_local_hour;
  std::optional<int> return_local_weekday;
};

// Computes the derived facts of `event` in its case. Pure.
DerivedFacts ComputeDerivedFacts(const Event& event, const CaseSnapshot& snapshot,
                                 const EngineOptions& options);

// True for the event types that put a subject in custody (apprehension,
// detention): they set CaseSnapshot::first_custody_at.
bool IsCustodyEvent(EventType type);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ENGINE_DERIVED_FACTS_H_
