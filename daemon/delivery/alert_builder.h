// The alert message (amparo.alert.v1, DESIGN.md §6) one recipient receives.
//
// What a recipient sees is decided here and nowhere else: the event as its
// disclosure profile allows (routing/disclosure.h, which also enforces the
// asylum rule), the rule's title and summary in the recipient's language, the
// legal basis, the deadline, and how to acknowledge. Pure.
#ifndef AMPARO_DAEMON_DELIVERY_ALERT_BUILDER_H_
#define AMPARO_DAEMON_DELIVERY_ALERT_BUILDER_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/core/clock.h"
#include "daemon/engine/decision.h"
#include "daemon/event/event.h"
#include "daemon/event/rfc3339.h"  // FormatUtc
#include "daemon/routing/directory.h"
#include "daemon/routing/resolver.h"

namespace amparo {

inline constexpr const char* kAlertSchemaV1 = "amparo.alert.v1";

// Members the payload builder adds to some alerts (delivery/payload_builder.h),
// each as JSON text; empty when absent.
struct AlertExtras {
  std::string escalated_from;             // the rung below an escalation
  std::string withheld_state_deliveries;  // for a duty officer, after a claim
};

// The amparo.alert.v1 message for `recipient`, as the JSON text it is sent
// as. `age_years` is the engine's derived age. An unknown disclosure profile
// discloses only ids. When the child's whereabouts are withheld from the
// recipient (routing/disclosure.h WithholdsWhereabouts), "event_id" is null
// too. Written straight into the text (core/json_writer.h), members in key
// order: the bytes nlohmann::json's dump of the same object would have.
std::string WriteAlert(const std::string& alert_id, int version, const AlertSubject& about,
                       const Event& event, std::optional<int> age_years, const Recipient& recipient,
                       const Directory& directory, const AlertExtras& extras = {});

// The same message as a JSON object, for those who read it rather than send
// it (the dry run, amparoctl route).
nlohmann::json BuildAlert(const std::string& alert_id, int version, const AlertSubject& about,
                          const Event& event, std::optional<int> age_years,
                          const Recipient& recipient, const Directory& directory);

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_ALERT_BUILDER_H_
