// The anonymized compliance report (amparoctl report, issue 13): the pure
// aggregation, no I/O. Facts in (daemon/store/report_query.h), cells out.
//
// A cell is one (state, agency, rule), plus one total per (state, agency)
// whose rule is "*". The state is the state the agency belongs to (the
// directory's `country`). Per cell: the children alerted (distinct subjects),
// the alerts, the time from the event to the first delivery and to the first
// acknowledgement and the time the law allowed (event to deadline), each as
// median and p90 in minutes (nearest rank), the deadlines met (acknowledged
// by the deadline), missed (acknowledged late, or still not acknowledged
// after it) and pending, and the escalations.
//
// No personal data leaves: a cell has no subject, name, birth date or event
// id, only counts and durations. A cell of fewer than k children is
// suppressed: every figure of it is withheld (nullopt). When exactly one
// rule cell of an agency is suppressed, the smallest other one is too, so
// that it cannot be worked out from the agency's total. Dead letters are
// counted per (state of the topic, reason class) and a count under k is
// suppressed as well.
#ifndef AMPARO_DAEMON_CTL_REPORT_H_
#define AMPARO_DAEMON_CTL_REPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/store/report_query.h"

namespace amparo {

inline constexpr int kMinCellChildren = 5;
inline constexpr std::string_view kAllRules = "*";

struct Quantiles {
  std::optional<double> median;  // Minutes; nullopt with no value.
  std::optional<double> p90;
};

struct ReportCell {
  std::string state;
  std::string agency;
  std::string rule;  // kAllRules for the agency's total.
  bool suppressed = false;
  // Withheld (nullopt) when suppressed.
  std::optional<int64_t> children;
  std::optional<int64_t> alerts;
  Quantiles to_delivery;
  Quantiles to_ack;
  Quantiles allowed;  // Event to legal deadline.
  std::optional<int64_t> deadlines_met;
  std::optional<int64_t> deadlines_missed;
  std::optional<int64_t> deadlines_pending;
  std::optional<int64_t> escalations;
};

struct DeadLetterCell {
  std::string state;
  std::string reason_class;
  bool suppressed = false;
  std::optional<int64_t> count;
};

struct Report {
  Instant from{};
  Instant to{};
  Instant as_of{};  // Deadlines after it are pending.
  int k = kMinCellChildren;
  std::vector<ReportCell> cells;  // By state, agency, then rule ("*" first).
  std::vector<DeadLetterCell> dead_letters;
};

struct ReportInput {
  Instant from{};
  Instant to{};
  Instant as_of{};
  int k = kMinCellChildren;  // REQUIRES: k >= kMinCellChildren.
  std::vector<AlertFact> alerts;
  std::vector<DeadLetterFact> dead_letters;
  // Agency id -> the state it belongs to; an agency not listed is "??".
  std::map<std::string, std::string> agency_state;
};

// Aggregates `input` into the report.
Report BuildReport(const ReportInput& input);

// The nearest-rank percentile `p` (0 < p <= 100) of `values`; nullopt if empty.
std::optional<double> NearestRank(std::vector<double> values, double p);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_REPORT_H_
