// What each recipient may see of an event, and in which language.
//
// Every function here is pure and thread-safe.
#ifndef AMPARO_DAEMON_ROUTING_DISCLOSURE_H_
#define AMPARO_DAEMON_ROUTING_DISCLOSURE_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/core/json_writer.h"
#include "daemon/engine/decision.h"
#include "daemon/event/event.h"
#include "daemon/routing/disclosure_profile.h"
#include "daemon/routing/resolver.h"

namespace amparo {

// A text chosen for a reader, and its language.
struct LocalizedChoice {
  std::string language;
  std::string text;
};

// Picks the first of `languages` (the reader's, preferred first) that `text`
// holds, else "en", else the first language `text` holds. An empty `text`
// gives {"en", ""}.
LocalizedChoice Localize(const LocalizedText& text, const std::vector<std::string>& languages);

// The hard safety rule, enforced whatever the profiles and the rules say:
// when the subject has claimed asylum or fears return, an agency of the state
// the child may be fleeing (one of the subject's nationalities, or its
// habitual residence) is not shown where the child is, nor anything that
// traces the child there: no location, no facility, no transfer, no return
// port, no authority (an organ of the state the child is in), no subject id
// (the authority's case number), no local time offset (times in UTC only);
// nor the asylum_claim and fear_of_return flags. That holds for its
// consulates and foreign ministry always, and for its other organs (child
// welfare...) while the child is outside that state (CRC GC6 ¶¶26-30).
// amparo's own duty officer is exempt. This filters the event only: that such
// an agency gets no alert about the claim at all (whose rule id and title
// would tell) is the rule set's inhibit. Callers pass the event with the
// case's flags (engine/case_snapshot.h FlagsAfter), so an earlier claim
// keeps protecting.
bool WithholdsWhereabouts(const Event& event, const Recipient& recipient);

// The event as `recipient` may see it: only the fields `profile` allows,
// minus what WithholdsWhereabouts withholds: {"type", "occurred_at",
// "authority", "subject": {..., "age_years"}, "location", "transfer",
// "return", "release", "reintegration"} (reintegration is whereabouts:
// withheld with them). Each is spelled as in the event's canonical JSON
// (event/event_codec.h EncodeEvent); a field added to the contract reaches no
// recipient until it is written here and a profile names it. Absent values,
// empty lists and empty objects are left out, as in the event JSON; times
// carry whole seconds. `age_years` is the engine's derived age. Written into
// `out` as one JSON object, members in key order (core/json_writer.h).
void WriteDisclosedView(const Event& event, std::optional<int> age_years,
                        const Recipient& recipient, const DisclosureProfile& profile,
                        JsonWriter& out);

// The same view as a JSON object.
nlohmann::json DisclosedView(const Event& event, std::optional<int> age_years,
                             const Recipient& recipient, const DisclosureProfile& profile);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ROUTING_DISCLOSURE_H_
