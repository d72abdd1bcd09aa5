// Benchmark of one clock-watcher pass as the store grows: N running clocks,
// of which 10 have a warning or an expiry due.
//
// Two figures per N, measured in the same run on the same SQLite file:
//   baseline  ClockStore::Running() + DueClockFirings over every running
//             clock (what ClockWatcher::FireDue read until issue 11's third
//             step)
//   DueBy     ClockStore::DueBy(now, 256) + DueClockFirings over those only
// Both must find the same firings; the program exits 1 if not.
//
//   build/bench/tests/bench/bench_clocks [max_running]   (default 500000)
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "daemon/engine/evaluator.h"
#include "daemon/store/event_store.h"
#include "daemon/store/processing_store.h"
#include "tests/bench/bench_support.h"
#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

constexpr int kDue = 10;
constexpr int kPasses = 20;
constexpr int kBatch = 256;

constexpr Instant kStart = Instant(std::chrono::hours(24 * 365 * 56));
constexpr Instant kNow = kStart + std::chrono::hours(1);

std::vector<RunningClock> AsRunning(const std::vector<ClockRecord>& records) {
  std::vector<RunningClock> out;
  out.reserve(records.size());
  for (const ClockRecord& r : records) out.push_back(ToRunningClock(r));
  return out;
}

bool Fail(const Status& s) {
  std::cerr << "bench_clocks: " << s.ToString() << "\n";
  return false;
}

// Adds running clocks until there are `total`; the first kDue of them warn
// an hour after they start (due by kNow), the rest in 12 hours.
bool Grow(Database& db, ClockStore& clocks, int from, int total) {
  if (Status s = db.Execute("BEGIN"); !s.ok()) return Fail(s);
  for (int i = from; i < total; ++i) {
    ClockOp op;
    op.clock_id = "us-6-cbp-holding-72h";
    op.op = ClockOp::Op::kStart;
    op.key = "case-" + std::to_string(i);
    op.started_at = kStart;
    op.warn_at = kStart + (i < kDue ? std::chrono::hours(1) : std::chrono::hours(12));
    op.due_at = kStart + std::chrono::hours(72);
    op.roles = {"child_welfare", "ombudsman"};
    Result<bool> started = clocks.Start(op, "subject-" + std::to_string(i), "event-" + op.key);
    if (!started.ok()) return Fail(started.status());
  }
  if (Status s = db.Execute("COMMIT"); !s.ok()) return Fail(s);
  return true;
}

int Run(int max_running) {
  const testing::TempDir dir;
  Result<std::unique_ptr<EventStore>> events = EventStore::Open({.path = dir.File("b.db")});
  if (!events.ok()) {
    Fail(events.status());
    return 2;
  }
  Result<std::unique_ptr<ProcessingStore>> store = ProcessingStore::Create((*events)->db());
  if (!store.ok()) {
    Fail(store.status());
    return 2;
  }
  ClockStore& clocks = (*store)->clocks();

  std::printf("one clock-watcher pass, %d of N running clocks due, ms per pass (%d passes)\n", kDue,
              kPasses);
  std::printf("%10s %12s %12s %8s\n", "N", "baseline", "DueBy", "ratio");
  int running = 0;
  for (int n = 1000; n <= max_running; n *= 10) {
    for (int total : {n, n * 5}) {
      if (total > max_running) break;
      if (!Grow((*events)->db(), clocks, running, total)) return 2;
      running = total;
      size_t baseline_firings = 0;
      size_t due_by_firings = 0;
      bool ok = true;
      const double baseline = bench::MillisPerCall(kPasses, [&] {
        Result<std::vector<ClockRecord>> all = clocks.Running();
        if (!all.ok()) ok = Fail(all.status());
        baseline_firings = ok ? DueClockFirings(AsRunning(*all), kNow).size() : 0;
      });
      const double due_by = bench::MillisPerCall(kPasses, [&] {
        Result<std::vector<ClockRecord>> due = clocks.DueBy(kNow, kBatch);
        if (!due.ok()) ok = Fail(due.status());
        due_by_firings = ok ? DueClockFirings(AsRunning(*due), kNow).size() : 0;
      });
      if (!ok) return 2;
      if (baseline_firings != kDue || due_by_firings != baseline_firings) {
        std::cerr << "bench_clocks: N=" << total << ": baseline found " << baseline_firings
                  << " firings, DueBy " << due_by_firings << "\n";
        return 1;
      }
      std::printf("%10d %12.3f %12.3f %7.0fx\n", total, baseline, due_by, baseline / due_by);
    }
  }
  std::printf("command: bench_clocks %d\n", max_running);
  return 0;
}

}  // namespace
}  // namespace amparo

int main(int argc, char** argv) {
  const std::optional<int> max_running = amparo::bench::SizeArgument(
      argc, argv, 500000, 1000, 10000000, "bench_clocks [max_running, 1000..10000000]");
  return max_running ? amparo::Run(*max_running) : 2;
}
