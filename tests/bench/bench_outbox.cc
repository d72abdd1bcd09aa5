// Benchmark of one dispatcher read of the outbox while one endpoint is full
// and its backlog grows: the ORR webhook of the sample directory, which never
// answers, so it always has its 8 sends in flight and every later row of it
// waits in the store.
//
// The outbox holds B pending rows of the hung endpoint (the oldest, as in a
// long run) and, due after them, 20 rows for each of 40 other endpoints. Two
// figures per B, measured in the same run on the same SQLite file, both
// leaving the hung endpoint out as the dispatcher does:
//   baseline  the query DueDeliveries ran until issue 11's fourth step: the
//             deliveries_due index in due order, the full endpoints left out
//             with NOT IN json_each, LIMIT 300 (it steps over all B rows)
//   by endpoint  OutboxStore::DueDeliveries(now, 300, 9, skip): each
//             endpoint's rows through deliveries_by_endpoint, 9 of each
// Both must return only rows of the other endpoints, at least one of each;
// the program exits 1 if not.
//
//   build/bench/tests/bench/bench_outbox [max_backlog]   (default 500000)
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/store/event_store.h"
#include "daemon/store/processing_store.h"
#include "tests/bench/bench_support.h"
#include "tests/support/temp_dir.h"

namespace amparo {
namespace {

constexpr int kEndpoints = 40;
constexpr int kRowsPerEndpoint = 20;
constexpr int kLimit = 300;
constexpr int kPerEndpoint = 9;
constexpr int kPasses = 20;
constexpr int64_t kStartMs = 1'800'000'000'000;
constexpr std::string_view kHungType = "webhook";
constexpr std::string_view kHungTarget = "https://intake.orr.example/amparo";

// What OutboxStore::DueDeliveries ran until issue 11's fourth step.
constexpr std::string_view kBaselineSql = R"sql(
  SELECT id, channel_type, target FROM deliveries
  WHERE state = 'pending' AND next_attempt_at_ms <= ?1
    AND channel_type NOT IN (SELECT value FROM json_each(?3))
    AND channel_type || char(10) || target NOT IN (SELECT value FROM json_each(?4))
  ORDER BY next_attempt_at_ms, id LIMIT ?2)sql";

bool Fail(const Status& s) {
  std::cerr << "bench_outbox: " << s.ToString() << "\n";
  return false;
}

// Inserts pending rows: (from, to] of the hung endpoint's backlog, due at
// kStartMs + their number in ms. Rows only: the bench turns foreign keys
// off, the dispatcher's read does not join the alerts.
bool AddBacklog(Database& db, Statement& insert, int from, int to) {
  if (Status s = db.Execute("BEGIN"); !s.ok()) return Fail(s);
  for (int i = from; i < to; ++i) {
    insert.Reset();
    const std::string alert = "hung-" + std::to_string(i);
    Status s = insert.Bind(alert, "orr", kHungType, kHungTarget, kStartMs + i);
    if (s.ok()) s = insert.Run();
    if (!s.ok()) return Fail(s);
  }
  if (Status s = db.Execute("COMMIT"); !s.ok()) return Fail(s);
  return true;
}

// The other endpoints' rows, due after any backlog the run will add.
bool AddOthers(Database& db, Statement& insert, int64_t due_ms) {
  if (Status s = db.Execute("BEGIN"); !s.ok()) return Fail(s);
  for (int e = 0; e < kEndpoints; ++e) {
    for (int r = 0; r < kRowsPerEndpoint; ++r) {
      insert.Reset();
      const std::string alert = "other-" + std::to_string(e) + "-" + std::to_string(r);
      const std::string target = "rcm/v1/alerts/agency-" + std::to_string(e);
      Status s = insert.Bind(alert, "agency-" + std::to_string(e), std::string_view("mqtt"), target,
                             due_ms + int64_t{r} * kEndpoints + e);
      if (s.ok()) s = insert.Run();
      if (!s.ok()) return Fail(s);
    }
  }
  if (Status s = db.Execute("COMMIT"); !s.ok()) return Fail(s);
  return true;
}

// The endpoints of `rows`; false if the hung one is among them.
bool OnlyOthers(const std::set<std::string>& targets) {
  return !targets.contains(std::string(kHungTarget)) && targets.size() == kEndpoints;
}

int Run(int max_backlog) {
  const testing::TempDir dir;
  Result<std::unique_ptr<EventStore>> events = EventStore::Open({.path = dir.File("b.db")});
  if (!events.ok()) {
    Fail(events.status());
    return 2;
  }
  Database& db = (*events)->db();
  Result<std::unique_ptr<ProcessingStore>> store = ProcessingStore::Create(db);
  if (!store.ok()) {
    Fail(store.status());
    return 2;
  }
  OutboxStore& outbox = (*store)->outbox();
  if (Status s = db.Execute("PRAGMA foreign_keys=OFF"); !s.ok()) {
    Fail(s);
    return 2;
  }
  Result<Statement> insert = db.Prepare(R"sql(
    INSERT INTO deliveries(alert_id, version, agency_id, channel_index, channel_type, target,
                           next_attempt_at_ms, created_at_ms, idempotency_key)
    VALUES (?1, 1, ?2, 0, ?3, ?4, ?5, ?5, ?1 || ':1'))sql");
  if (!insert.ok()) {
    Fail(insert.status());
    return 2;
  }
  Result<Statement> baseline_query = db.Prepare(kBaselineSql);
  if (!baseline_query.ok()) {
    Fail(baseline_query.status());
    return 2;
  }
  if (!AddOthers(db, *insert, kStartMs + max_backlog)) return 2;

  const int64_t now_ms = kStartMs + max_backlog + int64_t{kEndpoints} * kRowsPerEndpoint;
  const Instant now{std::chrono::milliseconds(now_ms)};
  const ChannelTarget hung{std::string(kHungType), std::string(kHungTarget)};
  const OutboxStore::Skip skip{.channel_types = {}, .targets = {hung}};
  const std::string skip_targets = "[\"" + hung.type + "\\n" + hung.target + "\"]";

  std::printf(
      "one outbox read, %d other endpoints x %d rows, the hung endpoint's backlog B left out,\n"
      "ms per read (%d reads)\n",
      kEndpoints, kRowsPerEndpoint, kPasses);
  std::printf("%10s %12s %12s %8s\n", "B", "baseline", "by endpoint", "ratio");
  int backlog = 0;
  for (int n = 1000; n <= max_backlog; n *= 10) {
    for (int total : {n, n * 5}) {
      if (total > max_backlog) break;
      if (!AddBacklog(db, *insert, backlog, total)) return 2;
      backlog = total;
      bool ok = true;
      std::set<std::string> baseline_targets;
      std::set<std::string> new_targets;
      const double baseline = bench::MillisPerCall(kPasses, [&] {
        Statement& q = *baseline_query;
        q.Reset();
        Status s = q.Bind(now_ms, kLimit, std::string_view("[]"), skip_targets);
        if (!s.ok()) ok = Fail(s);
        while (ok) {
          Result<bool> row = q.Step();
          if (!row.ok()) ok = Fail(row.status());
          if (!ok || !*row) break;
          baseline_targets.insert(q.ColumnText(2));
        }
      });
      const double by_endpoint = bench::MillisPerCall(kPasses, [&] {
        Result<std::vector<Delivery>> due = outbox.DueDeliveries(now, kLimit, kPerEndpoint, skip);
        if (!due.ok()) ok = Fail(due.status());
        if (ok) {
          for (const Delivery& d : *due) new_targets.insert(d.channel.target);
        }
      });
      if (!ok) return 2;
      if (!OnlyOthers(baseline_targets) || !OnlyOthers(new_targets)) {
        std::cerr << "bench_outbox: B=" << total << ": a read returned the hung endpoint's rows"
                  << " or missed an endpoint (baseline " << baseline_targets.size()
                  << " endpoints, by endpoint " << new_targets.size() << ")\n";
        return 1;
      }
      std::printf("%10d %12.3f %12.3f %7.0fx\n", total, baseline, by_endpoint,
                  baseline / by_endpoint);
    }
  }
  std::printf("command: bench_outbox %d\n", max_backlog);
  return 0;
}

}  // namespace
}  // namespace amparo

int main(int argc, char** argv) {
  const std::optional<int> max_backlog = amparo::bench::SizeArgument(
      argc, argv, 500000, 1000, 10000000, "bench_outbox [max_backlog, 1000..10000000]");
  return max_backlog ? amparo::Run(*max_backlog) : 2;
}
