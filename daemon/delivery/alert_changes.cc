#include "daemon/delivery/alert_changes.h"

namespace amparo {

Result<AlertChange> MakeAlertChange(AlertStore& alerts, const AlertSubject& about,
                                    const Recipient& recipient, const Event& event,
                                    std::optional<int> age_years, const std::string& subject_key,
                                    const Directory& directory) {
  Result<std::optional<AlertRecord>> open =
      alerts.FindOpen(about.rule, subject_key, recipient.agency_id);
  if (!open.ok()) return open.status();
  const std::string alert_id =
      *open ? (*open)->alert_id
            : DeriveAlertId(about.rule, subject_key, recipient.agency_id, event.event_id);
  const int version = *open ? (*open)->version + 1 : 1;

  AlertChange change;
  change.rule_id = about.rule;
  change.role = recipient.role;
  change.agency_id = recipient.agency_id;
  change.opening_event_id = event.event_id;
  change.severity = about.severity;
  change.deadline = about.deadline;
  change.payload =
      BuildAlert(alert_id, version, about, event, age_years, recipient, directory).dump();
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
