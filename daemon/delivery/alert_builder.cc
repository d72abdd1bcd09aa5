#include "daemon/delivery/alert_builder.h"

#include <date/date.h>

#include "daemon/routing/disclosure.h"

namespace amparo {

nlohmann::json BuildAlert(const std::string& alert_id, int version, const AlertSubject& about,
                          const Event& event, std::optional<int> age_years,
                          const Recipient& recipient, const Directory& directory) {
  const Agency* agency = directory.Find(recipient.agency_id);
  const std::vector<std::string> languages =
      agency != nullptr ? agency->languages : std::vector<std::string>{recipient.language};
  const LocalizedChoice title = Localize(about.title, languages);
  const LocalizedChoice summary = Localize(about.summary, languages);

  // The publisher's event id is the authority's own reference (it often names
  // the authority or the office): a recipient from whom the child's
  // whereabouts are withheld gets null, and acknowledges by alert id.
  const bool withhold = WithholdsWhereabouts(event, recipient);
  nlohmann::json view = nlohmann::json::object();
  if (const DisclosureProfile* profile = directory.Profile(recipient.disclosure)) {
    view = DisclosedView(event, age_years, recipient, *profile);
  }
  nlohmann::json alert = {
      {"schema", kAlertSchemaV1},
      {"alert_id", alert_id},
      {"version", version},
      {"kind", about.kind},
      {"rule", about.rule},
      {"severity", SeverityName(about.severity)},
      {"language", title.language},
      {"title", title.text},
      {"legal_basis", about.legal_basis},
      {"deadline", about.deadline ? nlohmann::json(FormatUtc(*about.deadline)) : nullptr},
      {"event_id", withhold ? nlohmann::json(nullptr) : nlohmann::json(event.event_id)},
      {"recipient",
       {{"agency", recipient.agency_id},
        {"role", recipient.role},
        {"disclosure", recipient.disclosure},
        {"time_zone", agency != nullptr && agency->time_zone != nullptr
                          ? nlohmann::json(agency->time_zone->name())
                          : nlohmann::json(nullptr)}}},
      {"event", view},
      {"acknowledge",
       {{"mqtt_topic", "rcm/v1/acks/" + recipient.agency_id},
        {"http", "POST /api/v1/alerts/" + alert_id + "/ack"}}},
  };
  if (!summary.text.empty()) alert["summary"] = summary.text;
  if (about.clock) {
    // Which legal deadline this is, and the alerts of the obligation it keeps.
    alert["clock"] = {{"id", about.clock->clock_id},
                      {"started_at", FormatUtc(about.clock->started_at)},
                      {"due_at", FormatUtc(about.clock->due_at)},
                      {"originating_alerts", about.clock->originating_alerts}};
  }
  return alert;
}

}  // namespace amparo
