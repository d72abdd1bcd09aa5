#include "daemon/delivery/payload_builder.h"

#include "daemon/core/json_writer.h"
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
std::string ResolvedNotice(const AlertRecord& alert, const Delivery& delivery) {
  JsonWriter w;  // members in key order, as alert_builder.h writes them
  w.BeginObject();
  w.Key("alert_id").String(alert.alert_id);
  w.Key("clock").String(alert.rule_id.substr(0, alert.rule_id.find(':')));
  w.Key("kind").String(kResolvedKind);
  w.Key("reason").String("the legal clock stopped: the obligation was met");
  w.Key("recipient").BeginObject().Key("agency").String(delivery.agency_id).EndObject();
  w.Key("resolved_at").String(FormatUtc(alert.updated_at));
  w.Key("rule").String(alert.rule_id);
  w.Key("schema").String(kAlertSchemaV1);
  w.Key("version").Int(delivery.version);
  w.EndObject();
  return std::move(w).Take();
}

// The rung below an escalated alert: which alert nobody acknowledged, by
// whom, by when; its agency is null when `withhold`.
std::string EscalatedFromJson(const AlertRecord& from, bool withhold) {
  JsonWriter w;
  w.BeginObject();
  w.Key("agency");
  if (withhold) {
    w.Null();
  } else {
    w.String(from.agency_id);
  }
  w.Key("alert_id").String(from.alert_id);
  w.Key("deadline");
  if (from.deadline) {
    w.String(FormatUtc(*from.deadline));
  } else {
    w.Null();
  }
  w.Key("reason").String("not acknowledged by its deadline");
  w.EndObject();
  return std::move(w).Take();
}

// What reached, or was cancelled on its way to, the state the child may be
// fleeing: ids, rules, agencies and times, oldest first.
std::string WithheldJson(const std::vector<WithheldDelivery>& list) {
  JsonWriter w;
  w.BeginArray();
  for (const WithheldDelivery& d : list) {
    w.BeginObject();
    w.Key("agency").String(d.agency_id);
    w.Key("alert_id").String(d.alert_id);
    if (d.cancelled_at) w.Key("cancelled_at").String(FormatUtc(*d.cancelled_at));
    w.Key("channel").String(d.channel_type);
    if (d.delivered_at) w.Key("delivered_at").String(FormatUtc(*d.delivered_at));
    if (!d.reason.empty()) w.Key("reason").String(d.reason);
    w.Key("rule").String(d.rule_id);
    w.Key("state").String(d.state);
    w.EndObject();
  }
  w.EndArray();
  return std::move(w).Take();
}

}  // namespace

Result<std::string> PayloadBuilder::Build(const Delivery& delivery) {
  if (!rules_ || !directory_) return Status::FailedPrecondition("payloads: no rules or directory");
  Result<AlertRecord> alert = processing_.alerts().Get(delivery.alert_id);
  if (!alert.ok()) return alert.status();
  if (alert->about.kind == kResolvedKind) return ResolvedNotice(*alert, delivery);
  Result<std::shared_ptr<const Event>> event = cache_.Load(events_, alert->last_event_id);
  if (!event.ok()) return event.status();
  Result<CaseSnapshot> now_case = processing_.cases().LoadCase(alert->subject_key);
  if (!now_case.ok()) return now_case.status();

  // The event with the case's flags as they stand now; copied only when a
  // later event added one (a claim since), as the copy costs a payload.
  std::optional<Event> reflagged;
  if (std::vector<SubjectFlag> flags = FlagsAfter(*now_case, **event);
      flags != (*event)->subject.flags) {
    reflagged = **event;
    reflagged->subject.flags = std::move(flags);
  }
  const Event& disclosed = reflagged ? *reflagged : **event;
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
  AlertExtras extras;
  if (alert->escalated_from) {
    // The rung below: which alert nobody acknowledged, by whom, by when.
    Result<AlertRecord> from = processing_.alerts().Get(*alert->escalated_from);
    if (!from.ok()) return from.status();
    // The agency below names its district (a consulate's is where the child
    // is): withheld from a recipient that may not know the whereabouts.
    extras.escalated_from = EscalatedFromJson(*from, WithholdsWhereabouts(disclosed, recipient));
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
      if (!list->empty()) extras.withheld_state_deliveries = WithheldJson(*list);
    }
  }
  return WriteAlert(delivery.alert_id, delivery.version, alert->about, disclosed, facts.age_years,
                    recipient, *directory_, extras);
}

}  // namespace amparo
