#include "daemon/http/ack_link.h"

#include "daemon/core/ack_token.h"
#include "daemon/core/html_escape.h"
#include "daemon/event/rfc3339.h"

namespace amparo {
namespace {

constexpr std::string_view kEmailChannel = "smtp";

std::string Page(std::string_view title, std::string_view body) {
  std::string html = "<!doctype html>\n<html lang=\"es\"><head><meta charset=\"utf-8\">";
  html += R"(<meta name="viewport" content="width=device-width, initial-scale=1">)";
  html += "<title>" + HtmlEscape(title) + "</title></head>\n<body>\n";
  html += body;
  html += "\n</body></html>\n";
  return html;
}

}  // namespace

std::optional<AckLinkTarget> MatchAckLink(std::string_view key, std::string_view alert_id,
                                          std::string_view token,
                                          const std::vector<DeliverySummary>& deliveries) {
  if (key.empty() || token.empty()) return std::nullopt;
  for (const DeliverySummary& d : deliveries) {
    if (d.channel_type != kEmailChannel) continue;
    if (AckTokenMatches(key, alert_id, d.version, d.agency_id, token)) {
      return AckLinkTarget{.agency_id = d.agency_id, .version = d.version};
    }
  }
  return std::nullopt;
}

std::string AckLinkConfirmPage(const AlertSummary& alert, const AckLinkTarget& target) {
  std::string deadline = "—";
  if (alert.deadline) {
    deadline = FormatRfc3339(Timestamp{.utc = *alert.deadline, .offset_minutes = 0});
  }
  std::string body;
  body += "<h1>Acusar recibo de la alerta / Acknowledge the alert</h1>\n";
  body += "<dl>\n";
  body += "<dt>Alerta / Alert</dt><dd>" + HtmlEscape(alert.alert_id) + " v" +
          std::to_string(target.version) + "</dd>\n";
  body += "<dt>Regla / Rule</dt><dd>" + HtmlEscape(alert.rule_id) + "</dd>\n";
  body += "<dt>Gravedad / Severity</dt><dd>" + HtmlEscape(alert.severity) + "</dd>\n";
  body += "<dt>Plazo (UTC) / Deadline (UTC)</dt><dd>" + HtmlEscape(deadline) + "</dd>\n";
  body += "<dt>Organismo / Agency</dt><dd>" + HtmlEscape(target.agency_id) + "</dd>\n";
  body += "<dt>Estado / State</dt><dd>" + HtmlEscape(alert.state) + "</dd>\n";
  body += "</dl>\n";
  body += "<form method=\"post\">\n";
  body += "<p><label for=\"by\">Su nombre / Your name</label><br>";
  body += "<input id=\"by\" name=\"by\" required maxlength=\"200\" autocomplete=\"name\"></p>\n";
  body += "<p><label for=\"note\">Nota (opcional) / Note (optional)</label><br>";
  body += "<textarea id=\"note\" name=\"note\" maxlength=\"2000\" rows=\"3\"></textarea></p>\n";
  body += "<p><button type=\"submit\">Acusar recibo / Acknowledge</button></p>\n";
  body += "</form>\n";
  body +=
      "<p>Acusar recibo registra que usted tomó la alerta; no cumple la obligación "
      "legal. / Acknowledging records that you took the alert; it does not meet the "
      "legal obligation.</p>";
  return Page("amparo: acusar recibo / acknowledge", body);
}

std::string AckLinkResultPage(std::string_view alert_id, const AckResult& result) {
  std::string body;
  switch (result.outcome) {
    case AckOutcome::kAccepted:
      body = "<h1>Recibo registrado / Acknowledged</h1>\n<p>Alerta / Alert " +
             HtmlEscape(alert_id) + ".</p>";
      break;
    case AckOutcome::kDuplicate:
      body =
          "<h1>Ya registrado / Already acknowledged</h1>\n<p>Este enlace ya se usó para la "
          "alerta / This link was already used for alert " +
          HtmlEscape(alert_id) + ".</p>";
      break;
    case AckOutcome::kRefused:
      body = "<h1>No registrado / Not acknowledged</h1>\n<p>" +
             HtmlEscape(result.refusal ? result.refusal->reason : "refused") + "</p>";
      break;
  }
  return Page("amparo", body);
}

std::string AckLinkErrorPage(std::string_view detail) {
  return Page("amparo", "<h1>Enlace no válido / Link not valid</h1>\n<p>" + HtmlEscape(detail) +
                            "</p>\n<p>Acuse recibo por el tema MQTT o la API con su token. / "
                            "Acknowledge over the MQTT topic or the API with your token.</p>");
}

}  // namespace amparo
