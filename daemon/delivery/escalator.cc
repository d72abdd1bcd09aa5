#include "daemon/delivery/escalator.h"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/delivery/alert_builder.h"
#include "daemon/engine/case_snapshot.h"
#include "daemon/engine/derived_facts.h"
#include "daemon/routing/disclosure.h"
#include "daemon/routing/resolver.h"
#include "daemon/store/alert_store.h"

namespace amparo {

namespace {

// The longest the escalator sleeps, so a wall-clock jump is noticed.
constexpr Duration kMaxSleep = std::chrono::minutes(1);
// When the rule is gone (a reload) the escalated alert still gets a deadline.
constexpr Duration kDefaultAckWithin = std::chrono::hours(1);
constexpr int kBatch = 100;

Severity SeverityFromName(std::string_view name) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kHigh, Severity::kCritical}) {
    if (SeverityName(s) == name) return s;
  }
  return Severity::kCritical;
}

// What the timed-out alert was about, from the rule set in force: a rule,
// or a clock's warning/expiry ("clock:due", "clock:warning").
AlertSubject About(const RuleSet& rules, const TimedOutAlert& alert, Duration* ack_within) {
  AlertSubject about;
  about.kind = "escalation";
  about.rule = alert.rule_id;
  about.severity = SeverityFromName(alert.severity);
  about.title = {{"en", alert.rule_id}};
  *ack_within = kDefaultAckWithin;
  for (const RuleDef& rule : rules.rules()) {
    if (rule.id != alert.rule_id) continue;
    about.title = rule.title;
    about.summary = rule.summary;
    about.legal_basis = rule.legal_basis;
    if (rule.ack_within) *ack_within = rule.ack_within->value;
  }
  const std::string clock_id = alert.rule_id.substr(0, alert.rule_id.find(':'));
  for (const ClockDef& clock : rules.clocks()) {
    if (clock.id != clock_id || clock_id == alert.rule_id) continue;
    about.title = clock.title;
    about.legal_basis = clock.legal_basis;
  }
  return about;
}

}  // namespace

Escalator::Escalator(boost::asio::io_context& io, EventStore& events, EventCache& cache,
                     ProcessingStore& processing, EscalationStore& escalations, const Clock& clock,
                     std::string duty_officer)
    : io_(io),
      events_(events),
      cache_(cache),
      processing_(processing),
      escalations_(escalations),
      clock_(clock),
      duty_officer_(std::move(duty_officer)),
      timer_(io) {}

void Escalator::Stop() {
  stopped_ = true;
  timer_.cancel();
}

void Escalator::Reschedule() {
  if (stopped_) return;
  Duration sleep = kMaxSleep;
  Result<std::optional<Instant>> next = escalations_.NextTimeout();
  if (!next.ok()) {
    spdlog::error("escalation: {}; looking again in 1s", next.status().ToString());
    sleep = std::chrono::seconds(1);
  } else if (*next) {
    sleep = std::clamp(**next - clock_.Now(), Duration(0), kMaxSleep);
  }
  timer_.expires_after(sleep);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    if (Result<int> steps = EscalateDue(); !steps.ok()) {
      spdlog::error("escalation: {}", steps.status().ToString());
    }
    Reschedule();
  });
}

Result<int> Escalator::EscalateDue() {
  if (!rules_ || !directory_)
    return Status::FailedPrecondition("escalation: no rules or directory");
  const Instant now = clock_.Now();
  int steps_taken = 0;
  bool wrote_delivery = false;
  for (;;) {
    Result<std::vector<TimedOutAlert>> due = escalations_.TimedOut(now, kBatch);
    if (!due.ok()) return due.status();
    // One transaction per batch, not per step (issue 11): the steps point
    // into `due`, which outlives them.
    std::vector<EscalationStep> steps;
    steps.reserve(due->size());
    for (const TimedOutAlert& alert : *due) {
      Result<EscalationStep> step = StepFor(alert, now);
      if (!step.ok()) return step.status();
      steps.push_back(std::move(step).value());
    }
    Result<std::vector<EscalationOutcome>> outcomes =
        escalations_.CommitAll(steps, processing_.outbox());
    if (!outcomes.ok()) return outcomes.status();
    for (size_t i = 0; i < steps.size(); ++i) Report(steps[i], (*outcomes)[i], wrote_delivery);
    steps_taken += static_cast<int>(steps.size());
    if (due->size() < static_cast<size_t>(kBatch)) break;
  }
  if (wrote_delivery && on_deliveries_) on_deliveries_();
  return steps_taken;
}

Result<EscalationStep> Escalator::StepFor(const TimedOutAlert& alert, Instant now) {
  const Directory& directory = *directory_;
  // The next rung: the agency's escalates_to if the directory knows it,
  // else the duty officer; nobody after the duty officer.
  const Agency* target = nullptr;
  if (alert.agency_id != duty_officer_) {
    const Agency* from = directory.Find(alert.agency_id);
    if (from != nullptr && from->escalates_to) target = directory.Find(*from->escalates_to);
    if (target == nullptr || target->id == alert.agency_id) target = directory.Find(duty_officer_);
  }

  EscalationStep step{.from = &alert, .to = std::nullopt, .reason = "ack_timeout", .now = now};
  if (target != nullptr) {
    // The payload is built from this event when the step is sent: without a
    // readable one there is nothing to send. Decoded once, through the cache.
    Result<std::shared_ptr<const Event>> event = cache_.Load(events_, alert.last_event_id);
    if (!event.ok() && event.status().code() != Status::Code::kNotFound &&
        event.status().code() != Status::Code::kInvalidArgument) {
      return event.status();
    }
    if (!event.ok()) {
      spdlog::error("escalation: alert {} has no readable event {}; escalated to nobody",
                    alert.alert_id, alert.last_event_id);
      target = nullptr;
    }
  }
  if (target != nullptr) {
    if (target->channels.empty()) return Status::FailedPrecondition("agency without channels");
    // What the new alert is about; its payload is built when it is sent, for
    // the agency escalated to (delivery/payload_builder.h), and names the
    // alert it escalates (alerts.escalated_from).
    Duration ack_within{};
    AlertSubject about = About(*rules_, alert, &ack_within);
    about.deadline = now + ack_within;
    const std::string alert_id =
        DeriveAlertId(alert.rule_id, alert.subject_key, target->id, "escalation:" + alert.alert_id);
    const Channel& primary = target->channels.front();
    step.to = EscalatedAlert{
        .alert_id = alert_id,
        .agency_id = target->id,
        .role = "escalation",
        .deadline = about.deadline,
        .escalates_to = target->escalates_to,
        .about = about,
        .channel = {std::string(kChannelTypeNames[static_cast<size_t>(primary.type)]),
                    primary.target}};
  }
  return step;
}

void Escalator::Report(const EscalationStep& step, const EscalationOutcome& outcome,
                       bool& wrote_delivery) {
  if (!outcome.escalated) return;  // Acknowledged meanwhile.
  const TimedOutAlert& alert = *step.from;
  if (step.to) {
    ++counters_.escalations;
    if (outcome.delivery) wrote_delivery = true;
    spdlog::warn("escalation: alert {} not acknowledged by {}; escalated to {} as alert {}",
                 alert.alert_id, alert.agency_id, step.to->agency_id, outcome.to_alert_id);
  } else {
    ++counters_.ladder_ends;
    spdlog::error("escalation: alert {} not acknowledged by {}; nobody left to escalate to",
                  alert.alert_id, alert.agency_id);
  }
}

}  // namespace amparo
