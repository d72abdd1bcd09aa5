// Text made safe for HTML and XML (SVG): the one escaper of the e-mails, the
// ack-link pages and the report's chart.
//
// Pure and reentrant.
#ifndef AMPARO_DAEMON_CORE_HTML_ESCAPE_H_
#define AMPARO_DAEMON_CORE_HTML_ESCAPE_H_

#include <string>
#include <string_view>

namespace amparo {

// `text` with & < > " ' replaced by character references, so that it is
// safe as element text and inside a double- or single-quoted attribute.
std::string HtmlEscape(std::string_view text);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_HTML_ESCAPE_H_
