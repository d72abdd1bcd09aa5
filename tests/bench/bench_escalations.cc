// Benchmark of the escalator's writes: N open alerts past their deadline,
// each escalated one rung (a new alert, its outbox row, the step, an audit
// record), committed
//   baseline  one transaction per step (what Escalator::EscalateDue did
//             until issue 11's fifth step): EscalationStore::CommitAll with
//             one step at a time
//   batched   one transaction per batch of 100 steps, as the escalator does
// Each on its own new SQLite file (WAL, synchronous=NORMAL, as amparod),
// filled the same way, in the same run. Both must escalate all N alerts;
// the program exits 1 if not.
//
//   build/bench/tests/bench/bench_escalations [N]   (default 20000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/escalation_store.h"
#include "daemon/store/event_store.h"
#include "daemon/store/processing_store.h"
#include "tests/bench/bench_support.h"
#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

constexpr int kBatch = 100;
constexpr int64_t kCreatedMs = 1'800'000'000'000;
constexpr int64_t kDeadlineMs = kCreatedMs + 3'600'000;

bool Fail(const Status& s) {
  std::cerr << "bench_escalations: " << s.ToString() << "\n";
  return false;
}

double Failed(const Status& s) {
  Fail(s);
  return -1;
}

// N open alerts to consulate-gt, past their deadline at kDeadlineMs. Rows
// only: the bench turns foreign keys off (no events behind them).
bool AddAlerts(Database& db, int n) {
  if (Status s = db.Execute("PRAGMA foreign_keys=OFF"); !s.ok()) return Fail(s);
  Result<Statement> insert = db.Prepare(R"sql(
    INSERT INTO alerts(alert_id, rule_id, subject_key, agency_id, role, opening_event_id,
                       last_event_id, severity, version, deadline_ms, escalates_to,
                       created_at_ms, updated_at_ms, about, escalated_from)
    VALUES (?1, 'unaccompanied-child-in-custody', ?2, 'consulate-gt', 'consulate', ?3, ?3,
            'critical', 1, ?4, 'gt-minex', ?5, ?5, '{}', NULL))sql");
  if (!insert.ok()) return Fail(insert.status());
  if (Status s = db.Execute("BEGIN"); !s.ok()) return Fail(s);
  for (int i = 0; i < n; ++i) {
    insert->Reset();
    const std::string id = std::to_string(i);
    Status s = insert->Bind("alert-" + id, "subject-" + id, "event-" + id, kDeadlineMs, kCreatedMs);
    if (s.ok()) s = insert->Run();
    if (!s.ok()) return Fail(s);
  }
  if (Status s = db.Execute("COMMIT"); !s.ok()) return Fail(s);
  return true;
}

EscalatedAlert To(const TimedOutAlert& from, Instant now) {
  return EscalatedAlert{.alert_id = "esc-" + from.alert_id,
                        .agency_id = "gt-minex",
                        .role = "escalation",
                        .deadline = now + std::chrono::hours(1),
                        .escalates_to = "duty-officer",
                        .about = {.kind = "escalation",
                                  .rule = from.rule_id,
                                  .severity = Severity::kCritical,
                                  .title = {{"en", "Unaccompanied child in custody"}},
                                  .summary = {},
                                  .legal_basis = {"VCCR art. 37(b)"},
                                  .deadline = now + std::chrono::hours(1),
                                  .clock = std::nullopt},
                        .channel = {"mqtt", "rcm/v1/alerts/gt-minex"}};
}

// Escalates every timed-out alert, `per_commit` steps per transaction.
// Returns the milliseconds it took, or a negative number on failure.
double EscalateAll(const std::string& file, int n, int per_commit) {
  Result<std::unique_ptr<EventStore>> events = EventStore::Open({.path = file});
  if (!events.ok()) return Failed(events.status());
  Database& db = (*events)->db();
  Result<std::unique_ptr<ProcessingStore>> store = ProcessingStore::Create(db);
  if (!store.ok()) return Failed(store.status());
  Result<std::unique_ptr<EscalationStore>> escalations = EscalationStore::Create(db);
  if (!escalations.ok()) return Failed(escalations.status());
  if (!AddAlerts(db, n)) return -1;

  const Instant now{std::chrono::milliseconds(kDeadlineMs + 1)};
  int escalated = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    Result<std::vector<TimedOutAlert>> due = (*escalations)->TimedOut(now, kBatch);
    if (!due.ok()) return Failed(due.status());
    for (size_t first = 0; first < due->size(); first += static_cast<size_t>(per_commit)) {
      std::vector<EscalationStep> steps;
      for (size_t i = first; i < std::min(due->size(), first + per_commit); ++i) {
        steps.push_back(
            {.from = &(*due)[i], .to = To((*due)[i], now), .reason = "ack_timeout", .now = now});
      }
      Result<std::vector<EscalationOutcome>> outcomes =
          (*escalations)->CommitAll(steps, (*store)->outbox());
      if (!outcomes.ok()) return Failed(outcomes.status());
      for (const EscalationOutcome& o : *outcomes) escalated += o.escalated ? 1 : 0;
    }
    if (due->size() < static_cast<size_t>(kBatch)) break;
  }
  const std::chrono::duration<double, std::milli> spent = std::chrono::steady_clock::now() - t0;
  if (escalated != n) {
    std::cerr << "bench_escalations: " << escalated << " of " << n << " escalated\n";
    return -1;
  }
  return spent.count();
}

int Run(int n) {
  const testing::TempDir dir;
  const double baseline = EscalateAll(dir.File("one-per-commit.db"), n, 1);
  if (baseline < 0) return 1;
  const double batched = EscalateAll(dir.File("batched.db"), n, kBatch);
  if (batched < 0) return 1;
  std::printf(
      "%d escalation steps, each a new alert, its outbox row, the step and an audit record\n", n);
  std::printf("%-28s %10s %12s\n", "", "ms", "steps/s");
  std::printf("%-28s %10.1f %12.0f\n", "baseline: 1 step per commit", baseline,
              n / (baseline / 1000.0));
  std::printf("%-28s %10.1f %12.0f\n", "batched: 100 per commit", batched, n / (batched / 1000.0));
  std::printf("command: bench_escalations %d\n", n);
  return 0;
}

}  // namespace
}  // namespace amparo

int main(int argc, char** argv) {
  const std::optional<int> n = amparo::bench::SizeArgument(argc, argv, 20000, 100, 10000000,
                                                           "bench_escalations [N, 100..10000000]");
  return n ? amparo::Run(*n) : 2;
}
