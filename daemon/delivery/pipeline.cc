#include "daemon/delivery/pipeline.h"

#include <algorithm>
#include <set>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "daemon/delivery/alert_changes.h"
#include "daemon/delivery/withheld_agencies.h"
#include "daemon/engine/case_snapshot.h"
#include "daemon/routing/decide.h"

namespace amparo {

namespace {

constexpr int kBatch = 64;

// The case row after `event`: the case the decision left, and where the
// subject was last seen.
CaseRecord CaseRow(const Event& event, const std::string& subject_key, CaseSnapshot state) {
  CaseRecord c;
  c.subject_key = subject_key;
  c.state = std::move(state);
  c.last_event_at = event.occurred_at.utc;
  c.country = event.location.country;
  c.admin1 = event.location.admin1;
  c.facility_type =
      event.location.facility ? std::string(ToString(event.location.facility->type)) : "";
  return c;
}

}  // namespace

LinkedKeys LinkedKeysOf(const Event& event, const SubjectHasher& hasher) {
  LinkedKeys keys;
  for (const std::string& id : event.subject.previous_ids) keys.previous.push_back(hasher.Hash(id));
  if (event.transfer && event.transfer->to.case_id) {
    keys.receiving.push_back(hasher.Hash(*event.transfer->to.case_id));
  }
  return keys;
}

Pipeline::Pipeline(boost::asio::io_context& io, EventStore& events, ProcessingStore& processing,
                   EventCache& cache, const Clock& clock, std::string unrouted_id,
                   SubjectHasher hasher)
    : io_(io),
      events_(events),
      processing_(processing),
      cache_(cache),
      clock_(clock),
      unrouted_id_(std::move(unrouted_id)),
      hasher_(std::move(hasher)),
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
  if (pending->empty()) return 0;
  // The whole round in ONE transaction: each event is still all or nothing
  // (CommitProcessing makes it a savepoint), but the round commits once. The
  // events were durable before their PUBACK (the ingest's commit); until this
  // commit they are simply still pending, and are processed again after a
  // crash, as before.
  if (Status s = processing_.BeginRound(); !s.ok()) return s;
  Round round;
  Status failed;
  for (const StoredEvent& stored : *pending) {
    failed = ProcessOne(stored, round);
    if (!failed.ok()) break;
  }
  // What was processed before a failure is kept, as when each event
  // committed alone; the failed event stays pending.
  if (Status s = processing_.CommitRound(); !s.ok()) return s;
  ApplyRound(round);
  if (!failed.ok()) return failed;
  return round.handled;
}

void Pipeline::ApplyRound(Round& round) {
  counters_.processed += round.counters.processed;
  counters_.failed += round.counters.failed;
  counters_.alerts_opened += round.counters.alerts_opened;
  counters_.alerts_updated += round.counters.alerts_updated;
  counters_.unrouted += round.counters.unrouted;
  counters_.inhibited += round.counters.inhibited;
  counters_.cancelled += round.counters.cancelled;
  counters_.linked += round.counters.linked;
  for (const std::function<void()>& log : round.logs) log();
  if (round.deliveries && on_deliveries_) on_deliveries_();
  if (round.clocks_changed && on_clocks_changed_) on_clocks_changed_();
}

Status Pipeline::ProcessOne(const StoredEvent& stored, Round& round) {
  const Instant now = clock_.Now();
  Result<std::shared_ptr<const Event>> decoded = cache_.Get(stored);
  if (!decoded.ok()) {
    // Stored events were validated on the way in; one that no longer decodes
    // (a contract change between versions) is kept, marked and counted.
    Status s = events_.MarkFailed(stored.id, decoded.status().message(), now);
    if (!s.ok()) return s;
    ++round.counters.failed;
    ++round.handled;
    round.logs.push_back([id = stored.event_id, why = decoded.status().message()] {
      spdlog::error("pipeline: event_id={} no longer decodes: {}", id, why);
    });
    return Status::OK();
  }
  const Event& event = **decoded;
  const Directory& directory = *directory_;

  // The event's case: linked to, and merged with, the cases it names
  // (store/case_links.h); written in the commit below.
  Result<CaseLinkPlan> link =
      processing_.links().Plan(stored.subject_key, LinkedKeysOf(event, hasher_));
  if (!link.ok()) return link.status();
  const CaseSnapshot* snapshot = &link->snapshot;
  // The alerts go out now: office hours are judged at processing time.
  EventDecision decision =
      Decide(*rules_, {&directory, unrouted_id_}, event, *snapshot, /*at=*/now);

  ProcessingCommit commit;
  commit.event_row = stored.id;
  commit.event_id = event.event_id;
  commit.subject_key = link->case_key;
  commit.clocks = decision.decisions.clocks;
  commit.now = now;
  commit.alerts.reserve(decision.alerts.size());
  for (const PlannedAlert& planned : decision.alerts) {
    commit.alerts.push_back(MakeAlertChange(planned, event.event_id, directory));
  }
  // A claim of asylum or fear of return (on this event or an earlier one)
  // cancels what is still waiting to reach the state the child may be
  // fleeing, escalations included, in this same transaction. The decision's
  // disclosed event carries the case's flags (FlagsAfter).
  commit.withheld = WithheldAgencies(decision.disclosed, directory_);
  commit.cancel_reason = kClaimCancelsReason;
  commit.case_update = CaseRow(event, link->case_key, std::move(decision.case_after));
  const bool linked = link->changes();
  const bool merged = !link->absorbed.empty();
  if (linked) commit.link = std::move(link).value();

  Result<CommitOutcome> outcome = processing_.CommitProcessing(commit);
  if (!outcome.ok()) return outcome.status();
  const Decisions& decisions = decision.decisions;
  const Routing& routing = decision.routing;
  ++round.handled;
  ++round.counters.processed;
  if (linked && !outcome->already_processed) {
    ++round.counters.linked;
    round.logs.push_back([id = event.event_id, subject = stored.subject_key,
                          to = commit.subject_key, aliases = commit.link->aliases.size(),
                          absorbed = commit.link->absorbed.size(),
                          unknown = commit.link->unknown.size()] {
      spdlog::info(
          "pipeline: event_id={} subject={} linked to case={}: {} key(s) linked, {} case(s) "
          "merged, {} unknown",
          id, subject, to, aliases, absorbed, unknown);
    });
  }
  round.counters.unrouted += routing.unrouted.size();
  round.counters.inhibited += decisions.inhibited.size();
  for (const CommittedAlert& a : outcome->alerts) {
    ++(a.alert.opened ? round.counters.alerts_opened : round.counters.alerts_updated);
  }
  if (!outcome->cancelled.deliveries.empty() || !outcome->cancelled.alerts.empty()) {
    round.counters.cancelled += outcome->cancelled.deliveries.size();
    round.logs.push_back([id = event.event_id, subject = stored.subject_key,
                          deliveries = outcome->cancelled.deliveries.size(),
                          alerts = outcome->cancelled.alerts.size()] {
      spdlog::warn(
          "pipeline: event_id={} subject={} claims protection: cancelled {} pending deliveries "
          "and closed {} alerts to the state the child may be fleeing",
          id, subject, deliveries, alerts);
    });
  }
  for (const Unrouted& u : routing.unrouted) {
    round.logs.push_back([id = event.event_id, u, to = unrouted_id_] {
      spdlog::warn("routing: event_id={} rule={} role={} resolved to nobody ({}); sent to {}", id,
                   u.rule, u.role, u.reason, to);
    });
  }
  if (spdlog::should_log(spdlog::level::info)) {
    round.logs.push_back([id = event.event_id, subject = stored.subject_key,
                          rules = decisions.rules.size(), alerts = outcome->alerts.size(),
                          inhibited = decisions.inhibited.size()] {
      spdlog::info("processed event_id={} subject={} rules={} alerts={} inhibited={}", id, subject,
                   rules, alerts, inhibited);
    });
  }
  if (!outcome->alerts.empty()) round.deliveries = true;
  if (outcome->clocks_started + outcome->clocks_stopped > 0 || merged) round.clocks_changed = true;
  return Status::OK();
}

}  // namespace amparo
