#include "daemon/ctl/report_output.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "daemon/core/html_escape.h"
#include "daemon/event/rfc3339.h"

namespace amparo {

namespace {

using nlohmann::json;

std::string Format(Instant t) { return FormatRfc3339(Timestamp{.utc = t, .offset_minutes = 0}); }

std::string Number(const std::optional<double>& v) {
  if (!v) return "";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", *v);
  return buffer;
}

std::string Number(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : ""; }

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

json Value(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }

json Value(const std::optional<double>& v) {
  return v ? json(std::round(*v * 10) / 10) : json(nullptr);
}

json QuantilesJson(const Quantiles& q) {
  return {{"median_minutes", Value(q.median)}, {"p90_minutes", Value(q.p90)}};
}

json CellJson(const ReportCell& c) {
  json j = {{"state", c.state},
            {"agency", c.agency},
            {"suppressed", c.suppressed},
            {"children", Value(c.children)},
            {"alerts", Value(c.alerts)},
            {"event_to_delivery", QuantilesJson(c.to_delivery)},
            {"event_to_ack", QuantilesJson(c.to_ack)},
            {"event_to_deadline", QuantilesJson(c.allowed)},
            {"deadlines",
             {{"met", Value(c.deadlines_met)},
              {"missed", Value(c.deadlines_missed)},
              {"pending", Value(c.deadlines_pending)}}},
            {"escalations", Value(c.escalations)}};
  if (c.rule != kAllRules) j["rule"] = c.rule;
  return j;
}

std::string Day(Instant t) { return Format(t).substr(0, 10); }

}  // namespace

std::string ReportCsv(const Report& report) {
  std::ostringstream out;
  out << "section,state,agency,rule,reason_class,suppressed,children,alerts,"
         "event_to_delivery_median_min,event_to_delivery_p90_min,event_to_ack_median_min,"
         "event_to_ack_p90_min,event_to_deadline_median_min,event_to_deadline_p90_min,"
         "deadlines_met,deadlines_missed,deadlines_pending,escalations,dead_letters\n";
  for (const ReportCell& c : report.cells) {
    const bool total = c.rule == kAllRules;
    out << (total ? "agency" : "rule") << ',' << CsvField(c.state) << ',' << CsvField(c.agency)
        << ',' << (total ? "" : CsvField(c.rule)) << ",," << (c.suppressed ? "true" : "false")
        << ',' << Number(c.children) << ',' << Number(c.alerts) << ','
        << Number(c.to_delivery.median) << ',' << Number(c.to_delivery.p90) << ','
        << Number(c.to_ack.median) << ',' << Number(c.to_ack.p90) << ',' << Number(c.allowed.median)
        << ',' << Number(c.allowed.p90) << ',' << Number(c.deadlines_met) << ','
        << Number(c.deadlines_missed) << ',' << Number(c.deadlines_pending) << ','
        << Number(c.escalations) << ",\n";
  }
  for (const DeadLetterCell& d : report.dead_letters) {
    out << "dead_letters," << CsvField(d.state) << ",,," << CsvField(d.reason_class) << ','
        << (d.suppressed ? "true" : "false") << ",,,,,,,,,,,,," << Number(d.count) << "\n";
  }
  return out.str();
}

std::string ReportJson(const Report& report) {
  json agencies = json::array();
  json rules = json::array();
  for (const ReportCell& c : report.cells) {
    (c.rule == kAllRules ? agencies : rules).push_back(CellJson(c));
  }
  json dead = json::array();
  for (const DeadLetterCell& d : report.dead_letters) {
    dead.push_back({{"state", d.state},
                    {"reason_class", d.reason_class},
                    {"suppressed", d.suppressed},
                    {"count", Value(d.count)}});
  }
  json j = {{"schema", "amparo.report.v1"},
            {"period", {{"from", Format(report.from)}, {"to", Format(report.to)}}},
            {"as_of", Format(report.as_of)},
            {"k", report.k},
            {"suppression",
             "cells of fewer than k children are withheld, and the smallest other rule cell "
             "of an agency with exactly one withheld; dead-letter counts under k likewise"},
            {"agencies", agencies},
            {"rules", rules},
            {"dead_letters", dead}};
  return j.dump(2) + "\n";
}

std::string ReportSvg(const Report& report) {
  std::vector<const ReportCell*> rows;
  for (const ReportCell& c : report.cells) {
    if (c.rule == kAllRules) rows.push_back(&c);
  }
  constexpr int kWidth = 900;
  constexpr int kLabel = 300;  // Left column: agency and state.
  constexpr int kBar = 440;
  constexpr int kRow = 34;
  constexpr int kTop = 92;
  const int height = kTop + std::max<int>(1, static_cast<int>(rows.size())) * kRow + 56;
  std::ostringstream s;
  s << R"(<svg xmlns="http://www.w3.org/2000/svg" width=")" << kWidth << R"(" height=")" << height
    << R"(" viewBox="0 0 )" << kWidth << ' ' << height << R"(" role="img" aria-labelledby="t d">)"
    << "\n<title id=\"t\">Deadline compliance per agency, " << Day(report.from) << " to "
    << Day(report.to) << "</title>\n<desc id=\"d\">For each agency, the share of its alerts' "
    << "legal deadlines met (acknowledged in time), missed and still pending. Agencies with "
       "fewer than "
    << report.k << " children alerted are withheld.</desc>\n"
    << R"(<defs><pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" )"
    << R"svg(patternTransform="rotate(45)"><rect width="8" height="8" fill="#eaeef2"/>)svg"
    << R"(<line x1="0" y1="0" x2="0" y2="8" stroke="#b6bec7" stroke-width="3"/></pattern></defs>)"
    << "\n<style>text{font-family:'DejaVu Sans',Verdana,sans-serif;fill:#1b1f24}"
       ".h{font-size:20px;font-weight:bold}.s{font-size:13px;fill:#59636e}"
       ".l{font-size:14px}.n{font-size:13px}</style>\n"
    << R"(<rect width="100%" height="100%" fill="#ffffff"/>)"
    << "\n"
    << R"(<text class="h" x="20" y="32">Deadline compliance per agency</text>)"
    << "\n"
    << R"(<text class="s" x="20" y="54">)" << Day(report.from) << " to " << Day(report.to)
    << " (as of " << HtmlEscape(Format(report.as_of)) << "); agencies with fewer than " << report.k
    << " children alerted withheld</text>\n";
  // Legend.
  const char* const kColours[] = {"#1a7f37", "#b3261e", "#8c959f"};
  const char* const kNames[] = {"met", "missed", "pending"};
  for (int i = 0; i < 3; ++i) {
    s << R"(<rect x=")" << kLabel + i * 110 << R"(" y="64" width="14" height="14" fill=")"
      << kColours[i] << R"("/><text class="n" x=")" << kLabel + i * 110 + 20 << R"(" y="76">)"
      << kNames[i] << "</text>\n";
  }
  if (rows.empty()) {
    s << R"(<text class="l" x="20" y=")" << kTop + 22 << R"(">No alert in this period.</text>)"
      << "\n";
  }
  int y = kTop;
  for (const ReportCell* c : rows) {
    s << R"(<text class="l" x="20" y=")" << y + 21 << R"(">)" << HtmlEscape(c->agency) << " ("
      << HtmlEscape(c->state) << ")</text>\n";
    if (c->suppressed) {
      s << R"(<rect x=")" << kLabel << R"(" y=")" << y + 6 << R"(" width=")" << kBar
        << R"svg(" height="22" fill="url(#hatch)"/>)svg"
        << R"(<text class="n" x=")" << kLabel + 10 << R"(" y=")" << y + 21
        << R"(">withheld: fewer than )" << report.k << " children</text>\n";
      y += kRow;
      continue;
    }
    const int64_t parts[] = {*c->deadlines_met, *c->deadlines_missed, *c->deadlines_pending};
    const int64_t total = parts[0] + parts[1] + parts[2];
    if (total == 0) {
      s << R"(<text class="n" x=")" << kLabel << R"(" y=")" << y + 21
        << R"(">no legal deadline in these alerts</text>)"
        << "\n";
      y += kRow;
      continue;
    }
    double x = kLabel;
    for (int i = 0; i < 3; ++i) {
      const double w =
          static_cast<double>(kBar) * static_cast<double>(parts[i]) / static_cast<double>(total);
      if (w <= 0) continue;
      s << R"(<rect x=")" << x << R"(" y=")" << y + 6 << R"(" width=")" << w
        << R"(" height="22" fill=")" << kColours[i] << R"("><title>)" << kNames[i] << ": "
        << parts[i] << " of " << total << "</title></rect>\n";
      x += w;
    }
    const int64_t met_percent = (parts[0] * 100 + total / 2) / total;
    s << R"(<text class="n" x=")" << kLabel + kBar + 10 << R"(" y=")" << y + 21 << R"(">)"
      << met_percent << "% met of " << total << "</text>\n";
    y += kRow;
  }
  s << R"(<text class="s" x="20" y=")" << height - 20
    << R"(">amparo compliance report: no names, birth dates or subject ids; counts only.</text>)"
    << "\n</svg>\n";
  return s.str();
}

}  // namespace amparo
