#include "daemon/delivery/pipeline.h"

#include <algorithm>
#include <set>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "daemon/delivery/alert_changes.h"
#include "daemon/engine/case_snapshot.h"
#include "daemon/engine/derived_facts.h"
#include "daemon/engine/evaluator.h"
#include "daemon/event/event_codec.h"
#include "daemon/routing/resolver.h"
#include "daemon/store/alert_store.h"

namespace amparo {

namespace {

constexpr int kBatch = 64;

// The case row after `event`: the engine's AdvanceCase, with the roles this
// event alerted, and where the subject was last seen.
CaseRecord CaseAfter(const Event& event, const std::string& subject_key, const CaseSnapshot& before,
                     const std::vector<Recipient>& recipients) {
  std::vector<std::string> roles;
  roles.reserve(recipients.size());
  for (const Recipient& r : recipients) roles.push_back(r.role);
  CaseRecord c;
  c.subject_key = subject_key;
  c.state = AdvanceCase(before, event, roles);
  c.last_event_at = event.occurred_at.utc;
  c.country = event.location.country;
  c.admin1 = event.location.admin1;
  c.facility_type =
      event.location.facility ? std::string(ToString(event.location.facility->type)) : "";
  return c;
}

}  // namespace

Pipeline::Pipeline(boost::asio::io_context& io, EventStore& events, ProcessingStore& processing,
                   const Clock& clock, std::string unrouted_id)
    : io_(io),
      events_(events),
      processing_(processing),
      clock_(clock),
      unrouted_id_(std::move(unrouted_id)),
      retry_timer_(io) {}

void Pipeline::Notify() {
  if (drain_scheduled_ || stopped_) return;
  drain_scheduled_ = true;
  boost::asio::post(io_, [this] { Drain(); });
}

void Pipeline::Stop() {
  stopped_ = true;
  retry_timer_.cancel();
}

void Pipeline::Drain() {
  drain_scheduled_ = false;
  if (stopped_) return;
  Result<int> done = ProcessPending(kBatch);
  if (!done.ok()) {
    // The store failed (disk full, I/O error): the events stay pending and
    // are tried again; nothing is lost and nothing is half-written.
    ++counters_.store_errors;
    spdlog::error("pipeline: {}; retrying in 1s", done.status().ToString());
    retry_timer_.expires_after(std::chrono::seconds(1));
    retry_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) Notify();
    });
    return;
  }
  if (*done == kBatch) Notify();  // more may be waiting; let other work run first
}

Result<int> Pipeline::ProcessPending(int limit) {
  if (!rules_ || !directory_) return Status::FailedPrecondition("pipeline: no rules or directory");
  Result<std::vector<StoredEvent>> pending = events_.PendingEvents(limit);
  if (!pending.ok()) return pending.status();
  int processed = 0;
  for (const StoredEvent& stored : *pending) {
    if (Status s = ProcessOne(stored); !s.ok()) return s;
    ++processed;
  }
  return processed;
}

Status Pipeline::ProcessOne(const StoredEvent& stored) {
  const Instant now = clock_.Now();
  Result<Event> decoded = DecodeEvent(stored.body);
  if (!decoded.ok()) {
    // Stored events were validated on the way in; one that no longer decodes
    // (a contract change between versions) is kept, marked and counted.
    ++counters_.failed;
    spdlog::error("pipeline: event_id={} no longer decodes: {}", stored.event_id,
                  decoded.status().message());
    return events_.MarkFailed(stored.id, decoded.status().message(), now);
  }
  const Event& event = *decoded;
  const RuleSet& rules = *rules_;
  const Directory& directory = *directory_;

  Result<CaseSnapshot> snapshot = processing_.cases().LoadCase(stored.subject_key);
  if (!snapshot.ok()) return snapshot.status();
  const Decisions decisions = Evaluate(rules, event, *snapshot);
  const DerivedFacts facts = ComputeDerivedFacts(event, *snapshot, rules.options());
  const Routing routing = Resolve(directory, decisions, event, now, unrouted_id_);

  // What recipients see is judged on the case, not only this event: a child
  // who claimed asylum on an earlier event keeps the protection of
  // disclosure (routing/disclosure.h reads the subject's flags).
  Event disclosed = event;
  disclosed.subject.flags = FlagsAfter(*snapshot, event);

  ProcessingCommit commit;
  commit.event_row = stored.id;
  commit.event_id = event.event_id;
  commit.subject_key = stored.subject_key;
  commit.clocks = decisions.clocks;
  commit.now = now;
  std::vector<Recipient> alerted;
  for (const Recipient& recipient : routing.recipients) {
    if (recipient.source != AlertSource::kRule) continue;  // clocks alert when they fire
    auto fired = std::find_if(decisions.rules.begin(), decisions.rules.end(),
                              [&](const FiredRule& r) { return r.id == recipient.rule; });
    if (fired == decisions.rules.end()) continue;
    AlertSubject about{"rule",         fired->id,          fired->severity, fired->title,
                       fired->summary, fired->legal_basis, std::nullopt};
    if (fired->ack_within) about.deadline = event.occurred_at.utc + *fired->ack_within;

    Result<AlertChange> change = MakeAlertChange(processing_.alerts(), about, recipient, disclosed,
                                                 facts.age_years, stored.subject_key, directory);
    if (!change.ok()) return change.status();
    commit.alerts.push_back(std::move(change).value());
    alerted.push_back(recipient);
  }
  commit.case_update = CaseAfter(event, stored.subject_key, *snapshot, alerted);

  Result<CommitOutcome> outcome = processing_.CommitProcessing(commit);
  if (!outcome.ok()) return outcome.status();
  ++counters_.processed;
  counters_.unrouted += routing.unrouted.size();
  counters_.inhibited += decisions.inhibited.size();
  for (const CommittedAlert& a : outcome->alerts) {
    ++(a.alert.opened ? counters_.alerts_opened : counters_.alerts_updated);
  }
  for (const Unrouted& u : routing.unrouted) {
    spdlog::warn("routing: event_id={} rule={} role={} resolved to nobody ({}); sent to {}",
                 event.event_id, u.rule, u.role, u.reason, unrouted_id_);
  }
  spdlog::info("processed event_id={} subject={} rules={} alerts={} inhibited={}", event.event_id,
               stored.subject_key, decisions.rules.size(), outcome->alerts.size(),
               decisions.inhibited.size());
  if (!outcome->alerts.empty() && on_deliveries_) on_deliveries_();
  if (outcome->clocks_started + outcome->clocks_stopped > 0 && on_clocks_changed_) {
    on_clocks_changed_();
  }
  return Status::OK();
}

}  // namespace amparo
