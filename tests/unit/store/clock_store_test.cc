#include "daemon/store/clock_store.h"

#include <catch2/catch.hpp>

#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using testing::At;

ClockOp Start(const std::string& key, int64_t started, std::optional<int64_t> warn, int64_t due) {
  ClockOp op;
  op.clock_id = "us-transfer-72h";
  op.op = ClockOp::Op::kStart;
  op.key = key;
  op.started_at = At(started);
  if (warn) op.warn_at = At(*warn);
  op.due_at = At(due);
  op.roles = {"child_welfare", "ombudsman"};
  return op;
}

TEST_CASE("ClockStore starts a clock once per (clock_id, key), a second start is a no-op") {
  testing::StoreFixture f;
  ClockStore& clocks = f.store().clocks();
  CHECK(clocks.Start(Start("k1", 1000, 2000, 3000), "subj", "ev-1").value());
  CHECK_FALSE(clocks.Start(Start("k1", 1500, 2500, 3500), "subj", "ev-2").value());
  CHECK(clocks.Start(Start("k2", 1000, std::nullopt, 5000), "subj", "ev-1").value());

  std::vector<ClockRecord> running = clocks.Running().value();
  REQUIRE(running.size() == 2);
  const ClockRecord& first = running[0];
  CHECK(first.key == "k1");
  CHECK(first.event_id == "ev-1");
  CHECK(first.subject_key == "subj");
  CHECK(first.started_at == At(1000));
  CHECK(first.warn_at == At(2000));
  CHECK(first.due_at == At(3000));
  CHECK(first.running);
  CHECK_FALSE(first.warned);
  CHECK_FALSE(first.expired);
  CHECK(first.roles == std::vector<std::string>{"child_welfare", "ombudsman"});
  CHECK_FALSE(running[1].warn_at.has_value());
}

TEST_CASE("ClockStore stops a running clock, keeps it as history, and may start it again") {
  testing::StoreFixture f;
  ClockStore& clocks = f.store().clocks();
  REQUIRE(clocks.Start(Start("k1", 1000, 2000, 3000), "subj", "ev-1").value());
  CHECK(clocks.Stop("us-transfer-72h", "k1", At(1500)).value());
  CHECK_FALSE(clocks.Stop("us-transfer-72h", "k1", At(1600)).value());
  CHECK(clocks.Running()->empty());
  CHECK(f.Count("clocks WHERE state = 'stopped' AND stopped_at_ms = 1500") == 1);

  CHECK(clocks.Start(Start("k1", 9000, 10000, 11000), "subj", "ev-3").value());
  CHECK(clocks.Running()->size() == 1);
  CHECK(f.Count("clocks") == 2);
}

TEST_CASE("ClockStore refuses a stop op as a start") {
  testing::StoreFixture f;
  ClockOp op = Start("k1", 1000, 2000, 3000);
  op.op = ClockOp::Op::kStop;
  CHECK(f.store().clocks().Start(op, "subj", "ev-1").status().code() ==
        Status::Code::kInvalidArgument);
}

TEST_CASE("NextDueAt is the next warning not given, else the next expiry not given") {
  testing::StoreFixture f;
  ClockStore& clocks = f.store().clocks();
  CHECK_FALSE(clocks.NextDueAt().value().has_value());
  REQUIRE(clocks.Start(Start("k1", 1000, 5000, 9000), "subj", "ev-1").value());
  REQUIRE(clocks.Start(Start("k2", 1000, std::nullopt, 7000), "subj", "ev-1").value());
  CHECK(clocks.NextDueAt().value() == At(5000));

  REQUIRE(clocks.MarkWarned("us-transfer-72h", "k1").ok());
  CHECK(clocks.NextDueAt().value() == At(7000));
  REQUIRE(clocks.MarkExpired("us-transfer-72h", "k2").ok());
  CHECK(clocks.NextDueAt().value() == At(9000));
  REQUIRE(clocks.MarkExpired("us-transfer-72h", "k1").ok());
  CHECK_FALSE(clocks.NextDueAt().value().has_value());

  std::vector<ClockRecord> running = clocks.Running().value();
  REQUIRE(running.size() == 2);
  CHECK(running[0].expired);
  CHECK(running[1].warned);
  CHECK(clocks.MarkWarned("us-transfer-72h", "nope").code() == Status::Code::kNotFound);
}

TEST_CASE("NextDueAt leaves out stopped clocks and given expiries, as the scan over all did") {
  testing::StoreFixture f;
  ClockStore& clocks = f.store().clocks();
  // A stopped clock due first counts for nothing.
  REQUIRE(clocks.Start(Start("stopped", 1000, 1500, 2000), "subj", "ev-1").value());
  REQUIRE(clocks.Stop("us-transfer-72h", "stopped", At(1200)).value());
  CHECK_FALSE(clocks.NextDueAt().value().has_value());
  // An expiry already given, its warning not: the warning still counts.
  REQUIRE(clocks.Start(Start("late", 1000, 6000, 3000), "subj", "ev-1").value());
  REQUIRE(clocks.MarkExpired("us-transfer-72h", "late").ok());
  CHECK(clocks.NextDueAt().value() == At(6000));
  // A clock without a warning counts with its expiry.
  REQUIRE(clocks.Start(Start("plain", 1000, std::nullopt, 4000), "subj", "ev-1").value());
  CHECK(clocks.NextDueAt().value() == At(4000));
  REQUIRE(clocks.MarkWarned("us-transfer-72h", "late").ok());
  REQUIRE(clocks.MarkExpired("us-transfer-72h", "plain").ok());
  CHECK_FALSE(clocks.NextDueAt().value().has_value());
}

TEST_CASE("NextDueAt reads the clock indexes, not every running clock") {
  testing::StoreFixture f;
  const std::string steps = testing::QueryPlan(f.db(), ClockStore::NextDueAtSql());
  INFO(steps);
  CHECK(steps.find("USING INDEX clocks_next_warning") != std::string::npos);
  CHECK(steps.find("USING INDEX clocks_next_expiry") != std::string::npos);
  CHECK(steps.find("SCAN clocks\n") == std::string::npos);
}

TEST_CASE("DueBy returns the clocks with a warning or an expiry due, earliest firing first") {
  testing::StoreFixture f;
  ClockStore& clocks = f.store().clocks();
  CHECK(clocks.DueBy(At(100000), 10)->empty());
  REQUIRE(clocks.Start(Start("warn-due", 1000, 4000, 9000), "subj", "ev-1").value());
  REQUIRE(clocks.Start(Start("not-yet", 1000, 8000, 12000), "subj", "ev-1").value());
  REQUIRE(clocks.Start(Start("plain-due", 1000, std::nullopt, 3000), "subj", "ev-1").value());
  REQUIRE(clocks.Start(Start("warned-due", 1000, 2000, 5000), "subj", "ev-1").value());
  REQUIRE(clocks.MarkWarned("us-transfer-72h", "warned-due").ok());
  REQUIRE(clocks.Start(Start("warned-only", 1000, 2000, 7000), "subj", "ev-1").value());
  REQUIRE(clocks.MarkWarned("us-transfer-72h", "warned-only").ok());
  REQUIRE(clocks.Start(Start("done", 1000, 1500, 2500), "subj", "ev-1").value());
  REQUIRE(clocks.MarkWarned("us-transfer-72h", "done").ok());
  REQUIRE(clocks.MarkExpired("us-transfer-72h", "done").ok());
  REQUIRE(clocks.Start(Start("stopped", 1000, 1500, 2500), "subj", "ev-1").value());
  REQUIRE(clocks.Stop("us-transfer-72h", "stopped", At(1200)).value());

  const auto keys = [](const std::vector<ClockRecord>& records) {
    std::vector<std::string> out;
    for (const ClockRecord& r : records) out.push_back(r.key);
    return out;
  };
  // At 6000: plain-due's expiry (3000), warn-due's warning (4000),
  // warned-due's expiry (5000); not-yet warns at 8000, warned-only falls due
  // at 7000, done and stopped have nothing left.
  CHECK(keys(clocks.DueBy(At(6000), 10).value()) ==
        std::vector<std::string>{"plain-due", "warn-due", "warned-due"});
  CHECK(keys(clocks.DueBy(At(6000), 2).value()) ==
        std::vector<std::string>{"plain-due", "warn-due"});
  CHECK(keys(clocks.DueBy(At(2999), 10).value()).empty());
  CHECK(keys(clocks.DueBy(At(8000), 10).value()) ==
        std::vector<std::string>{"plain-due", "warn-due", "warned-due", "warned-only", "not-yet"});
  // Every column as Running() reads it.
  const ClockRecord first = clocks.DueBy(At(6000), 1).value().at(0);
  CHECK(first.subject_key == "subj");
  CHECK(first.event_id == "ev-1");
  CHECK(first.due_at == At(3000));
  CHECK_FALSE(first.warn_at.has_value());
  CHECK(first.roles == std::vector<std::string>{"child_welfare", "ombudsman"});
}

TEST_CASE("DueBy reads the clock indexes, not every running clock") {
  testing::StoreFixture f;
  const std::string steps = testing::QueryPlan(f.db(), ClockStore::DueBySql());
  INFO(steps);
  // Range searches bounded by now (IS NOT NULL reads as warn_at_ms>NULL).
  CHECK(
      steps.find("SEARCH clocks USING INDEX clocks_next_warning (warn_at_ms>? AND warn_at_ms<?)") !=
      std::string::npos);
  CHECK(steps.find("SEARCH clocks USING INDEX clocks_next_expiry (due_at_ms<?)") !=
        std::string::npos);
  CHECK(steps.find("SCAN clocks\n") == std::string::npos);
}

}  // namespace
}  // namespace amparo
