// The compliance report's aggregation (daemon/ctl/report.h) and its outputs:
// percentiles, deadlines met, missed and pending, k=5 suppression with its
// complement, and no personal field in CSV, JSON or SVG.
#include "daemon/ctl/report.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/ctl/report_output.h"

namespace amparo {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

const Instant kT0 = Instant(std::chrono::milliseconds(1772400000000));  // 2026-03-01T21:20Z

// An alert for `child` by `agency` under `rule`, its event at kT0 + offset.
AlertFact Fact(const std::string& agency, const std::string& rule, const std::string& child,
               std::chrono::minutes delivered, std::optional<std::chrono::minutes> acked,
               std::optional<std::chrono::minutes> deadline = 60min) {
  AlertFact f;
  f.agency_id = agency;
  f.rule_id = rule;
  f.child = child;
  f.event_at = kT0;
  f.first_delivered = kT0 + delivered;
  if (acked) f.first_ack = kT0 + *acked;
  if (deadline) f.deadline = kT0 + *deadline;
  return f;
}

const ReportCell& Cell(const Report& r, const std::string& agency, const std::string& rule) {
  for (const ReportCell& c : r.cells) {
    if (c.agency == agency && c.rule == rule) return c;
  }
  FAIL("no cell " << agency << " " << rule);
  throw std::logic_error("unreachable");
}

ReportInput Input() {
  ReportInput in;
  in.from = kT0 - 24h;
  in.to = kT0 + 24h;
  in.as_of = kT0 + 90min;
  in.agency_state = {{"gt-consulate", "GT"}, {"mx-dif", "MX"}};
  return in;
}

TEST_CASE("report: NearestRank takes the value at rank ceil(p/100 * n)") {
  CHECK(NearestRank({}, 50) == std::nullopt);
  CHECK(NearestRank({7}, 90) == 7);
  CHECK(NearestRank({10, 1, 9, 2, 8, 3, 7, 4, 6, 5}, 50) == 5);
  CHECK(NearestRank({10, 1, 9, 2, 8, 3, 7, 4, 6, 5}, 90) == 9);
  CHECK(NearestRank({10, 1, 9, 2, 8, 3, 7, 4, 6, 5}, 100) == 10);
  CHECK(NearestRank({3, 1, 2}, 50) == 2);
}

TEST_CASE("report: a cell of five children shows its times, deadlines met, missed and pending") {
  ReportInput in = Input();
  // Six alerts, five children (c1 twice): acked at 10, 20, 30 min (met), at
  // 70 min (missed: deadline 60), one never acked (missed: as_of 90 > 60),
  // and one with a deadline after as_of and no ack (pending).
  in.alerts = {Fact("gt-consulate", "r1", "c1", 1min, 10min),
               Fact("gt-consulate", "r1", "c2", 2min, 20min),
               Fact("gt-consulate", "r1", "c3", 3min, 30min),
               Fact("gt-consulate", "r1", "c4", 4min, 70min),
               Fact("gt-consulate", "r1", "c5", 5min, std::nullopt),
               Fact("gt-consulate", "r1", "c1", 6min, std::nullopt, 120min)};
  in.alerts.back().escalations = 2;
  const Report r = BuildReport(in);
  const ReportCell& c = Cell(r, "gt-consulate", "r1");
  CHECK_FALSE(c.suppressed);
  CHECK(c.state == "GT");
  CHECK(c.children == 5);
  CHECK(c.alerts == 6);
  CHECK(c.to_delivery.median == Approx(3.0));
  CHECK(c.to_delivery.p90 == Approx(6.0));
  CHECK(c.to_ack.median == Approx(20.0));  // of 10, 20, 30, 70
  CHECK(c.to_ack.p90 == Approx(70.0));
  CHECK(c.allowed.median == Approx(60.0));
  CHECK(c.allowed.p90 == Approx(120.0));
  CHECK(c.deadlines_met == 3);
  CHECK(c.deadlines_missed == 2);
  CHECK(c.deadlines_pending == 1);
  CHECK(c.escalations == 2);
  // The agency's total comes first and, with one rule, equals it.
  CHECK(r.cells.front().agency == "gt-consulate");
  CHECK(r.cells.front().rule == kAllRules);
  CHECK(r.cells.front().children == 5);
}

TEST_CASE("report: cells under k children are withheld, and their complement too") {
  ReportInput in = Input();
  auto add = [&](const std::string& agency, const std::string& rule, int children) {
    for (int i = 0; i < children; ++i) {
      in.alerts.push_back(Fact(agency, rule, agency + rule + std::to_string(i), 1min, 5min));
    }
  };
  add("gt-consulate", "big", 7);
  add("gt-consulate", "medium", 6);
  add("gt-consulate", "small", 3);  // Under k: withheld; "medium" then too.
  add("mx-dif", "only", 4);         // The whole agency under k.
  const Report r = BuildReport(in);
  CHECK_FALSE(Cell(r, "gt-consulate", "*").suppressed);
  CHECK(Cell(r, "gt-consulate", "*").children == 16);
  CHECK_FALSE(Cell(r, "gt-consulate", "big").suppressed);
  CHECK(Cell(r, "gt-consulate", "big").children == 7);
  const ReportCell& small = Cell(r, "gt-consulate", "small");
  CHECK(small.suppressed);
  CHECK(small.children == std::nullopt);
  CHECK(small.alerts == std::nullopt);
  CHECK(small.to_ack.median == std::nullopt);
  CHECK(small.deadlines_met == std::nullopt);
  const ReportCell& medium = Cell(r, "gt-consulate", "medium");
  CHECK(medium.suppressed);  // Else 16 - 7 - 6 = 3 gives "small" away.
  CHECK(medium.children == std::nullopt);
  CHECK(Cell(r, "mx-dif", "*").suppressed);
  CHECK(Cell(r, "mx-dif", "only").suppressed);

  // k above 5 withholds more; below 5 is never used.
  in.k = 8;
  CHECK(Cell(BuildReport(in), "gt-consulate", "big").suppressed);
  in.k = 2;
  CHECK(BuildReport(in).k == kMinCellChildren);
  CHECK(Cell(BuildReport(in), "mx-dif", "*").suppressed);
}

TEST_CASE("report: dead letters by state and reason class, small counts withheld") {
  ReportInput in = Input();
  for (int i = 0; i < 5; ++i) in.dead_letters.push_back({"MX", "subject.birth_date"});
  for (int i = 0; i < 2; ++i) in.dead_letters.push_back({"GT", "not JSON"});
  const Report r = BuildReport(in);
  REQUIRE(r.dead_letters.size() == 2);
  CHECK(r.dead_letters[0].state == "GT");
  CHECK(r.dead_letters[0].suppressed);
  CHECK(r.dead_letters[0].count == std::nullopt);
  CHECK(r.dead_letters[1].reason_class == "subject.birth_date");
  CHECK(r.dead_letters[1].count == 5);
}

TEST_CASE("report: an agency missing from the directory is in state ??") {
  ReportInput in = Input();
  in.alerts.push_back(Fact("closed-post", "r", "c", 1min, 2min));
  CHECK(BuildReport(in).cells.front().state == "??");
}

TEST_CASE("report: CSV, JSON and SVG carry no child key, and withheld figures stay empty") {
  ReportInput in = Input();
  for (int i = 0; i < 6; ++i) {
    in.alerts.push_back(Fact("gt-consulate", "r1", "SUBJECT-HASH-" + std::to_string(i), 1min,
                             i < 4 ? std::optional(5min) : std::nullopt));
  }
  for (int i = 0; i < 2; ++i) {
    in.alerts.push_back(Fact("mx-dif", "r2", "SUBJECT-HASH-X" + std::to_string(i), 1min, 5min));
  }
  const Report r = BuildReport(in);
  const std::string csv = ReportCsv(r);
  const std::string text = ReportJson(r);
  const std::string svg = ReportSvg(r);
  for (const std::string* out : {&csv, &text, &svg}) {
    CHECK(out->find("SUBJECT-HASH") == std::string::npos);
  }
  const json j = json::parse(text);
  CHECK(j["schema"] == "amparo.report.v1");
  CHECK(j["k"] == 5);
  REQUIRE(j["agencies"].size() == 2);
  CHECK(j["agencies"][0]["agency"] == "gt-consulate");
  CHECK(j["agencies"][0]["children"] == 6);
  CHECK(j["agencies"][0]["deadlines"]["met"] == 4);
  CHECK(j["agencies"][0]["deadlines"]["missed"] == 2);
  CHECK(j["agencies"][1]["suppressed"] == true);
  CHECK(j["agencies"][1]["children"].is_null());
  CHECK(j["agencies"][1]["deadlines"]["met"].is_null());
  // CSV: the withheld agency's line has only its keys.
  CHECK(csv.find("agency,MX,mx-dif,,,true,,,,,,,,,,,,,\n") != std::string::npos);
  CHECK(csv.find("rule,GT,gt-consulate,r1,,false,6,6,") != std::string::npos);
  // The chart: a bar a agency, the withheld one hatched.
  CHECK(svg.find("<svg") == 0);
  CHECK(svg.find("gt-consulate (GT)") != std::string::npos);
  CHECK(svg.find("67% met of 6") != std::string::npos);
  CHECK(svg.find("withheld: fewer than 5 children") != std::string::npos);
}

}  // namespace
}  // namespace amparo
