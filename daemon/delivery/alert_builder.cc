#include "daemon/delivery/alert_builder.h"

#include <date/date.h>

#include "daemon/core/json_writer.h"
#include "daemon/routing/disclosure.h"

namespace amparo {

std::string WriteAlert(const std::string& alert_id, int version, const AlertSubject& about,
                       const Event& event, std::optional<int> age_years, const Recipient& recipient,
                       const Directory& directory, const AlertExtras& extras) {
  const Agency* agency = directory.Find(recipient.agency_id);
  const std::vector<std::string> languages =
      agency != nullptr ? agency->languages : std::vector<std::string>{recipient.language};
  const LocalizedChoice title = Localize(about.title, languages);
  const LocalizedChoice summary = Localize(about.summary, languages);

  // The publisher's event id is the authority's own reference (it often names
  // the authority or the office): a recipient from whom the child's
  // whereabouts are withheld gets null, and acknowledges by alert id.
  const bool withhold = WithholdsWhereabouts(event, recipient);

  // Members in key order (see the header).
  JsonWriter w;
  w.BeginObject();
  w.Key("acknowledge")
      .BeginObject()
      .Key("http")
      .String("POST /api/v1/alerts/" + alert_id + "/ack")
      .Key("mqtt_topic")
      .String("rcm/v1/acks/" + recipient.agency_id)
      .EndObject();
  w.Key("alert_id").String(alert_id);
  if (about.clock) {
    // Which legal deadline this is, and the alerts of the obligation it keeps.
    w.Key("clock").BeginObject();
    w.Key("due_at").String(FormatUtc(about.clock->due_at));
    w.Key("id").String(about.clock->clock_id);
    w.Key("originating_alerts").Strings(about.clock->originating_alerts);
    w.Key("started_at").String(FormatUtc(about.clock->started_at));
    w.EndObject();
  }
  w.Key("deadline");
  if (about.deadline) {
    w.String(FormatUtc(*about.deadline));
  } else {
    w.Null();
  }
  if (!extras.escalated_from.empty()) w.Key("escalated_from").Raw(extras.escalated_from);
  w.Key("event");
  if (const DisclosureProfile* profile = directory.Profile(recipient.disclosure)) {
    WriteDisclosedView(event, age_years, recipient, *profile, w);
  } else {
    w.BeginObject().EndObject();
  }
  w.Key("event_id");
  if (withhold) {
    w.Null();
  } else {
    w.String(event.event_id);
  }
  w.Key("kind").String(about.kind);
  w.Key("language").String(title.language);
  w.Key("legal_basis").Strings(about.legal_basis);
  w.Key("recipient").BeginObject();
  w.Key("agency").String(recipient.agency_id);
  w.Key("disclosure").String(recipient.disclosure);
  w.Key("role").String(recipient.role);
  w.Key("time_zone");
  if (agency != nullptr && agency->time_zone != nullptr) {
    w.String(agency->time_zone->name());
  } else {
    w.Null();
  }
  w.EndObject();
  w.Key("rule").String(about.rule);
  w.Key("schema").String(kAlertSchemaV1);
  w.Key("severity").String(SeverityName(about.severity));
  if (!summary.text.empty()) w.Key("summary").String(summary.text);
  w.Key("title").String(title.text);
  w.Key("version").Int(version);
  if (!extras.withheld_state_deliveries.empty()) {
    w.Key("withheld_state_deliveries").Raw(extras.withheld_state_deliveries);
  }
  w.EndObject();
  return std::move(w).Take();
}

nlohmann::json BuildAlert(const std::string& alert_id, int version, const AlertSubject& about,
                          const Event& event, std::optional<int> age_years,
                          const Recipient& recipient, const Directory& directory) {
  return nlohmann::json::parse(
      WriteAlert(alert_id, version, about, event, age_years, recipient, directory));
}

}  // namespace amparo
