#include "daemon/delivery/clock_watcher.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "daemon/delivery/alert_changes.h"
#include "daemon/engine/case_snapshot.h"
#include "daemon/engine/derived_facts.h"
#include "daemon/engine/evaluator.h"
#include "daemon/event/event_codec.h"
#include "daemon/routing/resolver.h"

namespace amparo {

namespace {

// The longest the watcher sleeps, so a wall-clock jump is noticed.
constexpr Duration kMaxSleep = std::chrono::minutes(1);

}  // namespace

ClockWatcher::ClockWatcher(boost::asio::io_context& io, EventStore& events,
                           ProcessingStore& processing, const Clock& clock, std::string unrouted_id)
    : io_(io),
      events_(events),
      processing_(processing),
      clock_(clock),
      unrouted_id_(std::move(unrouted_id)),
      timer_(io) {}

void ClockWatcher::Stop() {
  stopped_ = true;
  timer_.cancel();
}

void ClockWatcher::Reschedule() {
  if (stopped_) return;
  Duration sleep = kMaxSleep;
  Result<std::optional<Instant>> next = processing_.clocks().NextDueAt();
  if (!next.ok()) {
    spdlog::error("clocks: {}; looking again in 1s", next.status().ToString());
    sleep = std::chrono::seconds(1);
  } else if (*next) {
    sleep = std::clamp(**next - clock_.Now(), Duration(0), kMaxSleep);
  }
  timer_.expires_after(sleep);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    if (Result<int> fired = FireDue(); !fired.ok()) {
      spdlog::error("clocks: {}", fired.status().ToString());
    }
    Reschedule();
  });
}

Result<int> ClockWatcher::FireDue() {
  if (!rules_ || !directory_) return Status::FailedPrecondition("clocks: no rules or directory");
  const Instant now = clock_.Now();
  Result<std::vector<ClockRecord>> running = processing_.clocks().Running();
  if (!running.ok()) return running.status();
  int fired = 0;
  for (const ClockRecord& record : *running) {
    if (record.warn_at && !record.warned && *record.warn_at <= now && !record.expired) {
      if (Status s = Fire(record, /*due=*/false, now); !s.ok()) return s;
      ++fired;
    }
    if (!record.expired && record.due_at <= now) {
      if (Status s = Fire(record, /*due=*/true, now); !s.ok()) return s;
      ++fired;
    }
  }
  return fired;
}

Status ClockWatcher::Fire(const ClockRecord& record, bool due, Instant now) {
  const RuleSet& rules = *rules_;
  const Directory& directory = *directory_;
  auto def = std::find_if(rules.clocks().begin(), rules.clocks().end(),
                          [&](const ClockDef& c) { return c.id == record.clock_id; });
  Result<std::optional<StoredEvent>> stored = events_.FindEvent(record.event_id);
  if (!stored.ok()) return stored.status();
  std::optional<Event> event;
  if (*stored) {
    Result<Event> decoded = DecodeEvent((*stored)->body);
    if (decoded.ok()) event = std::move(decoded).value();
  }

  ClockFiringCommit commit;
  commit.clock_id = record.clock_id;
  commit.key = record.key;
  commit.subject_key = record.subject_key;
  commit.event_id = record.event_id;
  commit.due = due;
  commit.now = now;
  if (def != rules.clocks().end() && event) {
    Result<CaseSnapshot> snapshot = processing_.cases().LoadCase(record.subject_key);
    if (!snapshot.ok()) return snapshot.status();
    // Judge the child as the case stands now, not as when the clock started:
    // a protection claim made since must withhold the consulate (the
    // inhibits) and the child's whereabouts (disclosure reads the flags).
    event->subject.flags = FlagsAfter(*snapshot, *event);
    Decisions decisions;
    decisions.event_id = record.event_id;
    FiredRule as_rule;
    as_rule.id = record.clock_id + (due ? ":due" : ":warning");
    as_rule.severity = due ? Severity::kCritical : def->severity;
    as_rule.roles = record.roles;
    as_rule.legal_basis = def->legal_basis;
    as_rule.title = def->title;
    const std::vector<Inhibition> inhibited =
        InhibitRoles(rules, *event, *snapshot, record.clock_id, &as_rule.roles);
    decisions.rules.push_back(as_rule);
    // The clock's roles, resolved where the child was when it started.
    const Routing routing = Resolve(directory, decisions, *event, now, unrouted_id_);
    const DerivedFacts facts = ComputeDerivedFacts(*event, *snapshot, rules.options());
    if (!inhibited.empty()) {
      spdlog::info("clocks: clock={} subject={} withheld {} role(s) by {}", record.clock_id,
                   record.subject_key, inhibited.size(), inhibited.front().inhibit_id);
    }
    AlertSubject about{due ? "clock_due" : "clock_warning",
                       as_rule.id,
                       as_rule.severity,
                       def->title,
                       {},
                       def->legal_basis,
                       record.due_at};
    for (const Recipient& recipient : routing.recipients) {
      Result<AlertChange> change = MakeAlertChange(processing_.alerts(), about, recipient, *event,
                                                   facts.age_years, record.subject_key, directory);
      if (!change.ok()) return change.status();
      commit.alerts.push_back(std::move(change).value());
    }
  } else {
    // The clock's definition left the rule set (a reload), or its event is
    // gone: mark it without alerts, and say so.
    spdlog::warn("clocks: clock={} event_id={} has no definition or event; marked without alerts",
                 record.clock_id, record.event_id);
  }
  Result<CommitOutcome> outcome = processing_.CommitClockFiring(commit);
  if (!outcome.ok()) return outcome.status();
  if (outcome->alerts.empty()) return Status::OK();
  ++(due ? counters_.expiries : counters_.warnings);
  spdlog::warn("clocks: {} clock={} subject={} alerts={}", due ? "DUE" : "warning", record.clock_id,
               record.subject_key, outcome->alerts.size());
  if (on_deliveries_) on_deliveries_();
  return Status::OK();
}

}  // namespace amparo
