// The compliance report as CSV, JSON and an SVG chart (amparoctl report,
// issue 13). Pure: a Report in, text out. A suppressed figure is an empty
// CSV field, a JSON null, and a grey hatched bar in the chart.
#ifndef AMPARO_DAEMON_CTL_REPORT_OUTPUT_H_
#define AMPARO_DAEMON_CTL_REPORT_OUTPUT_H_

#include <string>

#include "daemon/ctl/report.h"

namespace amparo {

// One header line, then one line a cell ("section" rule | agency) and one a
// dead-letter cell ("section" dead_letters). RFC 4180 quoting.
std::string ReportCsv(const Report& report);
// {"schema": "amparo.report.v1", "period", "as_of", "k", "agencies", "rules", "dead_letters"}.
std::string ReportJson(const Report& report);
// A bar a agency: the share of its deadlines met, missed and pending.
std::string ReportSvg(const Report& report);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CTL_REPORT_OUTPUT_H_
