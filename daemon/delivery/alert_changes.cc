#include "daemon/delivery/alert_changes.h"

namespace amparo {

AlertChange MakeAlertChange(const PlannedAlert& planned, const std::string& event_id,
                            const Directory& directory) {
  const Recipient& recipient = planned.recipient;
  AlertChange change;
  change.rule_id = planned.about.rule;
  change.role = recipient.role;
  change.agency_id = recipient.agency_id;
  change.opening_event_id = event_id;
  change.severity = planned.about.severity;
  change.deadline = planned.about.deadline;
  change.about = planned.about;
  for (const Channel& ch : recipient.channels) {
    change.channels.push_back(
        {std::string(kChannelTypeNames[static_cast<size_t>(ch.type)]), ch.target});
  }
  if (const Agency* agency = directory.Find(recipient.agency_id)) {
    change.escalates_to = agency->escalates_to;
  }
  return change;
}

}  // namespace amparo
