#include "daemon/delivery/clock_watcher.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "daemon/delivery/alert_changes.h"
#include "daemon/routing/decide.h"

namespace amparo {

namespace {

// The longest the watcher sleeps, so a wall-clock jump is noticed.
constexpr Duration kMaxSleep = std::chrono::minutes(1);

}  // namespace

ClockWatcher::ClockWatcher(boost::asio::io_context& io, EventStore& events,
                           ProcessingStore& processing, EventCache& cache, const Clock& clock,
                           std::string unrouted_id, int batch)
    : io_(io),
      events_(events),
      processing_(processing),
      cache_(cache),
      clock_(clock),
      unrouted_id_(std::move(unrouted_id)),
      batch_(std::max(batch, 1)),
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
  int fired = 0;
  // Only the clocks with something due are read, a batch at a time, not
  // every running clock. Each firing marks its clock, so a batch never
  // comes back.
  for (;;) {
    Result<std::vector<ClockRecord>> records = processing_.clocks().DueBy(now, batch_);
    if (!records.ok()) return records.status();
    std::vector<RunningClock> due;
    due.reserve(records->size());
    for (const ClockRecord& r : *records) due.push_back(ToRunningClock(r));
    // The same firings `amparoctl test` fires (engine/evaluator.h).
    int fired_now = 0;
    for (const ClockFiring& firing : DueClockFirings(due, now)) {
      auto index = std::find_if(due.begin(), due.end(),
                                [&](const RunningClock& c) {
                                  return c.clock_id == firing.clock_id && c.key == firing.key;
                                }) -
                   due.begin();
      if (Status s = Fire(due[index], (*records)[index].subject_key, firing.kind, now); !s.ok()) {
        return s;
      }
      ++fired_now;
    }
    fired += fired_now;
    if (static_cast<int>(records->size()) < batch_ || fired_now == 0) return fired;
  }
}

Status ClockWatcher::Fire(const RunningClock& clock, const std::string& subject_key,
                          ClockFiring::Kind kind, Instant now) {
  const bool due = kind == ClockFiring::Kind::kDue;
  ClockFiringCommit commit;
  commit.clock_id = clock.clock_id;
  commit.key = clock.key;
  commit.subject_key = subject_key;
  commit.event_id = clock.event_id;
  commit.due = due;
  commit.now = now;

  Result<std::shared_ptr<const Event>> event = cache_.Load(events_, clock.event_id);
  if (!event.ok() && event.status().code() != Status::Code::kNotFound) {
    // The store failed, or the body no longer decodes: say so, and mark the
    // clock without alerts below rather than firing it again forever.
    spdlog::error("clocks: clock={} event_id={}: {}", clock.clock_id, clock.event_id,
                  event.status().ToString());
  }
  bool defined = false;
  if (event.ok()) {
    Result<CaseSnapshot> now_case = processing_.cases().LoadCase(subject_key);
    if (!now_case.ok()) return now_case.status();
    // The same decision `amparoctl test` makes for this firing.
    const ClockFiringDecision decision = DecideClockFiring(
        *rules_, {directory_.get(), unrouted_id_}, clock, kind, **event, *now_case, /*at=*/now);
    defined = decision.defined;
    if (!decision.inhibited.empty()) {
      spdlog::info("clocks: clock={} subject={} withheld {} role(s) by {}", clock.clock_id,
                   subject_key, decision.inhibited.size(), decision.inhibited.front().inhibit_id);
    }
    for (const PlannedAlert& planned : decision.alerts) {
      commit.alerts.push_back(MakeAlertChange(planned, clock.event_id, *directory_));
    }
  }
  if (!defined) {
    // The clock's definition left the rule set (a reload), or its event is
    // gone: mark it without alerts, and say so.
    spdlog::warn("clocks: clock={} event_id={} has no definition or event; marked without alerts",
                 clock.clock_id, clock.event_id);
  }
  Result<CommitOutcome> outcome = processing_.CommitClockFiring(commit);
  if (!outcome.ok()) return outcome.status();
  if (outcome->alerts.empty()) return Status::OK();
  ++(due ? counters_.expiries : counters_.warnings);
  spdlog::warn("clocks: {} clock={} subject={} alerts={}", due ? "DUE" : "warning", clock.clock_id,
               subject_key, outcome->alerts.size());
  if (on_deliveries_) on_deliveries_();
  return Status::OK();
}

}  // namespace amparo
