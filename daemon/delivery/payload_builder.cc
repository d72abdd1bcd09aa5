#include "daemon/delivery/payload_builder.h"

#include "daemon/delivery/alert_builder.h"
#include "daemon/delivery/withheld_agencies.h"
#include "daemon/engine/case_snapshot.h"
#include "daemon/engine/derived_facts.h"
#include "daemon/event/rfc3339.h"
#include "daemon/routing/disclosure.h"
#include "daemon/routing/resolver.h"
#include "daemon/store/resolution_store.h"

namespace amparo {

namespace {

// The notice that an alert's legal clock stopped: ids only, nothing of the child.
nlohmann::json ResolvedNotice(const AlertRecord& alert, const Delivery& delivery) {
  return {{"schema", kAlertSchemaV1},
          {"alert_id", alert.alert_id},
          {"version", delivery.version},
          {"kind", kResolvedKind},
          {"rule", alert.rule_id},
          {"clock", alert.rule_id.substr(0, alert.rule_id.find(':'))},
          {"resolved_at", FormatUtc(alert.updated_at)},
          {"reason", "the legal clock stopped: the obligation was met"},
          {"recipient", {{"agency", delivery.agency_id}}}};
}

// What reached, or was cancelled on its way to, the state the child may be
// fleeing: ids, rules, agencies and times, oldest first.
nlohmann::json WithheldJson(const std::vector<WithheldDelivery>& list) {
  nlohmann::json out = nlohmann::json::array();
  for (const WithheldDelivery& d : list) {
    nlohmann::json row = {{"alert_id", d.alert_id},
                          {"rule", d.rule_id},
                          {"agency", d.agency_id},
                          {"channel", d.channel_type},
                          {"state", d.state}};
    if (d.delivered_at) row["delivered_at"] = FormatUtc(*d.delivered_at);
    if (d.cancelled_at) row["cancelled_at"] = FormatUtc(*d.cancelled_at);
    if (!d.reason.empty()) row["reason"] = d.reason;
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

Result<std::string> PayloadBuilder::Build(const Delivery& delivery) {
  if (!rules_ || !directory_) return Status::FailedPrecondition("payloads: no rules or directory");
  Result<AlertRecord> alert = processing_.alerts().Get(delivery.alert_id);
  if (!alert.ok()) return alert.status();
  if (alert->about.kind == kResolvedKind) return ResolvedNotice(*alert, delivery).dump();
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
  nlohmann::json payload = BuildAlert(delivery.alert_id, delivery.version, alert->about, disclosed,
                                      facts.age_years, recipient, *directory_);
  if (alert->escalated_from) {
    // The rung below: which alert nobody acknowledged, by whom, by when.
    Result<AlertRecord> from = processing_.alerts().Get(*alert->escalated_from);
    if (!from.ok()) return from.status();
    // The agency below names its district (a consulate's is where the child
    // is): withheld from a recipient that may not know the whereabouts.
    const bool withhold = WithholdsWhereabouts(disclosed, recipient);
    payload["escalated_from"] = {
        {"alert_id", from->alert_id},
        {"agency", withhold ? nlohmann::json(nullptr) : nlohmann::json(from->agency_id)},
        {"deadline", from->deadline ? nlohmann::json(FormatUtc(*from->deadline)) : nullptr},
        {"reason", "not acknowledged by its deadline"}};
  }
  const Agency* agency = directory_->Find(delivery.agency_id);
  if (agency != nullptr && agency->kind == AgencyKind::kDutyOfficer) {
    // The duty officer of a child who claims protection is told what had
    // already reached the state the child may be fleeing, and what the claim
    // cancelled (int-3-protection-claim-after-consular-alert).
    if (WithheldAgency withheld = WithheldAgencies(disclosed, directory_)) {
      Result<std::vector<WithheldDelivery>> list =
          processing_.cancellations().Withheld(now_case->key, withheld);
      if (!list.ok()) return list.status();
      if (!list->empty()) payload["withheld_state_deliveries"] = WithheldJson(*list);
    }
  }
  return payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace amparo
