#include "daemon/delivery/payload_builder.h"

#include "daemon/delivery/alert_builder.h"
#include "daemon/engine/case_snapshot.h"
#include "daemon/engine/derived_facts.h"
#include "daemon/routing/resolver.h"

namespace amparo {

Result<std::string> PayloadBuilder::Build(const Delivery& delivery) {
  if (!rules_ || !directory_) return Status::FailedPrecondition("payloads: no rules or directory");
  Result<AlertRecord> alert = processing_.alerts().Get(delivery.alert_id);
  if (!alert.ok()) return alert.status();
  Result<std::shared_ptr<const Event>> event = cache_.Load(events_, alert->last_event_id);
  if (!event.ok()) return event.status();
  Result<CaseSnapshot> now_case = processing_.cases().LoadCase(alert->subject_key);
  if (!now_case.ok()) return now_case.status();

  Event disclosed = **event;
  disclosed.subject.flags = FlagsAfter(*now_case, **event);
  const DerivedFacts facts = ComputeDerivedFacts(disclosed, *now_case, rules_->options());

  const bool escalation = delivery.agency_id != alert->agency_id;
  const std::string role = escalation ? "escalation" : alert->role;
  Recipient recipient;
  if (const Agency* agency = directory_->Find(delivery.agency_id)) {
    recipient = RecipientOf(*agency, AlertSource::kRule, alert->rule_id, role, alert->about.title);
  } else {
    // Gone from the directory since: no profile, so ids only (alert_builder.h).
    recipient.rule = alert->rule_id;
    recipient.role = role;
    recipient.agency_id = delivery.agency_id;
    recipient.language = "en";
  }
  return BuildAlert(delivery.alert_id, delivery.version, alert->about, disclosed, facts.age_years,
                    recipient, *directory_)
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace amparo
