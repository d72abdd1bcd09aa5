#include "daemon/ctl/report.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

namespace amparo {

namespace {

double Minutes(Instant from, Instant to) {
  return std::chrono::duration<double, std::ratio<60>>(to - from).count();
}

// What is gathered for one cell before it is summarised.
struct Tally {
  std::set<std::string> children;
  int64_t alerts = 0;
  std::vector<double> to_delivery;
  std::vector<double> to_ack;
  std::vector<double> allowed;
  int64_t met = 0;
  int64_t missed = 0;
  int64_t pending = 0;
  int64_t escalations = 0;

  void Add(const AlertFact& f, Instant as_of) {
    children.insert(f.child);
    ++alerts;
    if (f.first_delivered) to_delivery.push_back(Minutes(f.event_at, *f.first_delivered));
    if (f.first_ack) to_ack.push_back(Minutes(f.event_at, *f.first_ack));
    escalations += f.escalations;
    if (!f.deadline) return;
    allowed.push_back(Minutes(f.event_at, *f.deadline));
    if (f.first_ack) {
      (*f.first_ack <= *f.deadline ? met : missed) += 1;
    } else {
      (*f.deadline < as_of ? missed : pending) += 1;
    }
  }
};

Quantiles Summarise(const std::vector<double>& values) {
  return {NearestRank(values, 50), NearestRank(values, 90)};
}

ReportCell MakeCell(const std::string& state, const std::string& agency, const std::string& rule,
                    const Tally& t) {
  ReportCell c;
  c.state = state;
  c.agency = agency;
  c.rule = rule;
  c.children = static_cast<int64_t>(t.children.size());
  c.alerts = t.alerts;
  c.to_delivery = Summarise(t.to_delivery);
  c.to_ack = Summarise(t.to_ack);
  c.allowed = Summarise(t.allowed);
  c.deadlines_met = t.met;
  c.deadlines_missed = t.missed;
  c.deadlines_pending = t.pending;
  c.escalations = t.escalations;
  return c;
}

void Suppress(ReportCell& c) {
  const ReportCell kept = c;
  c = ReportCell{};
  c.state = kept.state;
  c.agency = kept.agency;
  c.rule = kept.rule;
  c.suppressed = true;
}

}  // namespace

std::optional<double> NearestRank(std::vector<double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(index, values.size() - 1)];
}

Report BuildReport(const ReportInput& input) {
  Report report;
  report.from = input.from;
  report.to = input.to;
  report.as_of = input.as_of;
  report.k = std::max(input.k, kMinCellChildren);

  // (state, agency, rule) -> tally; rule kAllRules is the agency's total.
  std::map<std::tuple<std::string, std::string, std::string>, Tally> tallies;
  for (const AlertFact& f : input.alerts) {
    const auto it = input.agency_state.find(f.agency_id);
    const std::string state = it == input.agency_state.end() ? "??" : it->second;
    tallies[{state, f.agency_id, std::string(kAllRules)}].Add(f, input.as_of);
    tallies[{state, f.agency_id, f.rule_id}].Add(f, input.as_of);
  }
  // std::map orders "*" before any rule id, so each total precedes its rules.
  for (const auto& [key, tally] : tallies) {
    const auto& [state, agency, rule] = key;
    ReportCell cell = MakeCell(state, agency, rule, tally);
    if (tally.children.size() < static_cast<size_t>(report.k)) Suppress(cell);
    report.cells.push_back(std::move(cell));
  }
  // Complementary suppression: one suppressed rule cell next to a published
  // total could be worked out by subtraction; withhold the smallest other too.
  for (size_t i = 0; i < report.cells.size();) {
    size_t end = i + 1;
    while (end < report.cells.size() && report.cells[end].state == report.cells[i].state &&
           report.cells[end].agency == report.cells[i].agency) {
      ++end;
    }
    // cells[i] is the total; cells[i+1, end) its rules.
    if (!report.cells[i].suppressed) {
      size_t suppressed = 0;
      std::optional<size_t> smallest;
      for (size_t j = i + 1; j < end; ++j) {
        if (report.cells[j].suppressed) {
          ++suppressed;
        } else if (!smallest || *report.cells[j].children < *report.cells[*smallest].children) {
          smallest = j;
        }
      }
      if (suppressed == 1 && smallest) Suppress(report.cells[*smallest]);
    }
    i = end;
  }

  std::map<std::pair<std::string, std::string>, int64_t> dead;
  for (const DeadLetterFact& d : input.dead_letters) ++dead[{d.country, d.reason_class}];
  for (const auto& [key, count] : dead) {
    DeadLetterCell cell{key.first, key.second, false, count};
    if (count < report.k) {
      cell.suppressed = true;
      cell.count.reset();
    }
    report.dead_letters.push_back(std::move(cell));
  }
  return report;
}

}  // namespace amparo
