#include "adapters/smtp/alert_mail.h"

#include <array>
#include <chrono>
#include <sstream>
#include <vector>

#include <date/date.h>
#include <date/tz.h>
#include <nlohmann/json.hpp>

#include "daemon/core/ack_token.h"
#include "daemon/core/base64.h"
#include "daemon/core/html_escape.h"
#include "daemon/core/keyed_hash.h"

namespace amparo {
namespace {

struct Labels {
  const char* lang;
  const char* severity;
  const char* deadline;
  const char* local_time;
  const char* no_deadline;
  const char* legal_basis;
  const char* summary;
  const char* disclosed;  // Followed by the profile's name.
  const char* acknowledge;
  const char* ack_web;
  const char* ack_mqtt;
  const char* alert;
};

constexpr std::array<Labels, 3> kLabels = {{
    {"en", "Severity", "Deadline", "local time", "none", "Legal basis", "Summary",
     "What your agency may see (disclosure profile", "How to acknowledge",
     "Acknowledge on the web (one-time link):", "Or publish an acknowledgement to the MQTT topic",
     "Alert"},
    {"es", "Gravedad", "Plazo", "hora local", "ninguno", "Fundamento legal", "Resumen",
     "Lo que su institución puede ver (perfil de divulgación", "Cómo acusar recibo",
     "Acuse recibo en la web (enlace de un solo uso):",
     "O publique un acuse de recibo en el tema MQTT", "Alerta"},
    {"fr", "Gravité", "Échéance", "heure locale", "aucune", "Base juridique", "Résumé",
     "Ce que votre organisme peut voir (profil de divulgation", "Comment accuser réception",
     "Accusez réception sur le web (lien à usage unique) :",
     "Ou publiez un accusé de réception sur le sujet MQTT", "Alerte"},
}};

const Labels& LabelsFor(const std::string& language) {
  for (const Labels& l : kLabels) {
    if (language == l.lang) return l;
  }
  return kLabels[0];
}

// Percent-encodes all but RFC 3986 unreserved characters.
std::string UrlEncode(std::string_view s) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// A header value: as is when printable ASCII, else RFC 2047 encoded words of
// at most 45 input bytes each, cut between UTF-8 characters.
std::string EncodeHeader(std::string_view value) {
  bool plain = value.size() < 900;
  for (unsigned char c : value) plain = plain && c >= 0x20 && c < 0x7f;
  if (plain) return std::string(value);
  std::string out;
  size_t i = 0;
  while (i < value.size()) {
    size_t n = std::min<size_t>(45, value.size() - i);
    while (n > 0 && i + n < value.size() &&
           (static_cast<unsigned char>(value[i + n]) & 0xC0) == 0x80) {
      --n;  // Do not split a UTF-8 sequence.
    }
    if (n == 0) n = std::min<size_t>(45, value.size() - i);
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64Encode(value.substr(i, n)) + "?=";
    i += n;
  }
  return out;
}

std::string Text(const nlohmann::json& alert, const char* key) {
  auto it = alert.find(key);
  if (it == alert.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::string ScalarText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}

// "subject.nationalities" -> "GT, HN", in the view's order.
void Flatten(const nlohmann::json& v, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>* out) {
  if (v.is_object()) {
    for (const auto& [key, item] : v.items()) {
      std::string path = prefix;
      if (!path.empty()) path += '.';
      path += key;
      Flatten(item, path, out);
    }
    return;
  }
  if (v.is_array() &&
      std::all_of(v.begin(), v.end(), [](const nlohmann::json& x) { return !x.is_structured(); })) {
    std::string joined;
    for (const nlohmann::json& x : v) joined += (joined.empty() ? "" : ", ") + ScalarText(x);
    out->emplace_back(prefix, joined);
    return;
  }
  out->emplace_back(prefix, v.is_structured() ? v.dump() : ScalarText(v));
}

struct Deadline {
  std::string utc;    // "2026-03-03 13:40 UTC"
  std::string local;  // "2026-03-03 07:40 CST", or ""
  std::string zone;   // "America/Mexico_City"
};

std::optional<Deadline> ReadDeadline(const nlohmann::json& alert) {
  const std::string text = Text(alert, "deadline");
  if (text.empty()) return std::nullopt;
  std::istringstream in(text);
  date::sys_seconds t;
  in >> date::parse("%FT%TZ", t);
  if (in.fail()) return Deadline{.utc = text, .local = "", .zone = ""};
  Deadline d{.utc = date::format("%F %H:%M UTC", t), .local = "", .zone = ""};
  const nlohmann::json recipient = alert.value("recipient", nlohmann::json::object());
  if (auto tz = recipient.find("time_zone"); tz != recipient.end() && tz->is_string()) {
    try {
      const date::zoned_seconds local(tz->get<std::string>(), t);
      d.local = date::format("%F %H:%M %Z", local);
      d.zone = tz->get<std::string>();
    } catch (const std::exception&) {
      d.local.clear();  // An unknown zone: UTC only.
      d.zone.clear();
    }
  }
  return d;
}

std::string DomainOf(std::string_view address) {
  const size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string("amparo.invalid")
                                      : std::string(address.substr(at + 1));
}

}  // namespace

std::string AlertMessageId(std::string_view idempotency_key, std::string_view agency_id,
                           std::string_view from) {
  std::string data(idempotency_key);
  data += '\n';
  data += agency_id;
  return "<amparo." + internal::HmacSha256Hex("amparo-message-id", data).substr(0, 32) + "@" +
         DomainOf(from) + ">";
}

Result<std::string> RenderAlertMail(std::string_view alert_json, const AlertMailContext& context) {
  nlohmann::json alert = nlohmann::json::parse(alert_json, nullptr, /*allow_exceptions=*/false);
  if (!alert.is_object() || Text(alert, "schema") != "amparo.alert.v1") {
    return Status::InvalidArgument("smtp: the payload is not an amparo.alert.v1 object");
  }
  const Labels& l = LabelsFor(Text(alert, "language"));
  const std::string alert_id = Text(alert, "alert_id");
  const int version = alert.value("version", 0);
  const std::string title = Text(alert, "title");
  std::string severity = Text(alert, "severity");
  std::string severity_upper = severity;
  for (char& c : severity_upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string summary = Text(alert, "summary");
  const std::optional<Deadline> deadline = ReadDeadline(alert);
  std::vector<std::string> legal_basis;
  if (auto it = alert.find("legal_basis"); it != alert.end() && it->is_array()) {
    for (const auto& b : *it) legal_basis.push_back(ScalarText(b));
  }
  const nlohmann::json recipient = alert.value("recipient", nlohmann::json::object());
  const std::string profile = Text(recipient, "disclosure");
  std::vector<std::pair<std::string, std::string>> fields;
  if (auto it = alert.find("event"); it != alert.end()) Flatten(*it, "", &fields);
  const nlohmann::json ack = alert.value("acknowledge", nlohmann::json::object());
  const std::string mqtt_topic = Text(ack, "mqtt_topic");
  std::string ack_url;
  if (!context.ack_base_url.empty()) {
    std::string base = context.ack_base_url;
    while (base.ends_with('/')) base.pop_back();
    ack_url = base + "/api/v1/alerts/" + UrlEncode(alert_id) +
              "/ack?token=" + AckToken(context.ack_key, alert_id, version, context.agency_id);
  }

  // text/plain
  std::string text = title + "\n\n";
  text += l.severity + std::string(": ") + severity + "\n";
  text += l.deadline + std::string(": ");
  if (!deadline) {
    text += l.no_deadline + std::string("\n");
  } else {
    if (!deadline->local.empty()) {
      text += deadline->local + " (" + l.local_time + ", " + deadline->zone + ") / ";
    }
    text += deadline->utc + "\n";
  }
  text += l.alert + std::string(": ") + alert_id + " v" + std::to_string(version) + "\n";
  if (!summary.empty()) text += "\n" + std::string(l.summary) + ":\n" + summary + "\n";
  text += "\n" + std::string(l.legal_basis) + ":\n";
  for (const std::string& b : legal_basis) text += "  - " + b + "\n";
  text += "\n" + std::string(l.disclosed) + " " + profile + "):\n";
  for (const auto& [key, value] : fields)
    text.append("  ").append(key).append(": ").append(value) += '\n';
  text += "\n" + std::string(l.acknowledge) + ":\n";
  if (!ack_url.empty()) text += "  " + std::string(l.ack_web) + "\n  " + ack_url + "\n";
  text += "  " + std::string(l.ack_mqtt) + " " + mqtt_topic + "\n";

  // text/html
  std::string html = R"(<!DOCTYPE html><html lang=")";
  html.append(HtmlEscape(l.lang)).append(R"("><head><meta charset="utf-8"><title>)");
  html.append(HtmlEscape(title)).append("</title></head><body>\n<h1>");
  html.append(HtmlEscape(title)).append("</h1>\n<table>\n");
  auto row = [&html](const std::string& k, const std::string& v) {
    html +=
        "<tr><th align=\"left\">" + HtmlEscape(k) + "</th><td>" + HtmlEscape(v) + "</td></tr>\n";
  };
  row(l.severity, severity);
  if (!deadline) {
    row(l.deadline, l.no_deadline);
  } else {
    row(l.deadline, deadline->local.empty() ? deadline->utc
                                            : deadline->local + " (" + l.local_time + ", " +
                                                  deadline->zone + ") / " + deadline->utc);
  }
  row(l.alert, alert_id + " v" + std::to_string(version));
  html += "</table>\n";
  if (!summary.empty()) {
    html += "<h2>" + HtmlEscape(l.summary) + "</h2>\n<p>" + HtmlEscape(summary) + "</p>\n";
  }
  html += "<h2>" + HtmlEscape(l.legal_basis) + "</h2>\n<ul>\n";
  for (const std::string& b : legal_basis) html += "<li>" + HtmlEscape(b) + "</li>\n";
  html += "</ul>\n<h2>" + HtmlEscape(std::string(l.disclosed) + " " + profile + ")") +
          "</h2>\n<table>\n";
  for (const auto& [key, value] : fields) row(key, value);
  html += "</table>\n<h2>" + HtmlEscape(l.acknowledge) + "</h2>\n";
  if (!ack_url.empty()) {
    html += "<p>" + HtmlEscape(l.ack_web) + " <a href=\"" + HtmlEscape(ack_url) + "\">" +
            HtmlEscape(ack_url) + "</a></p>\n";
  }
  html += "<p>" + HtmlEscape(l.ack_mqtt) + " <code>" + HtmlEscape(mqtt_topic) + "</code></p>\n";
  html += "</body></html>\n";

  const std::string message_id =
      AlertMessageId(context.idempotency_key, context.agency_id, context.from);
  const std::string boundary = "=_amparo_" + message_id.substr(8, 24);
  const std::string from_name = context.from_name.empty() ? "amparo" : context.from_name;
  std::string m;
  m += "From: " + EncodeHeader(from_name) + " <" + context.from + ">\r\n";
  m += "To: <" + context.to + ">\r\n";
  m += "Subject: " + EncodeHeader("[" + severity_upper + "] " + title) + "\r\n";
  m += "Date: " +
       date::format("%a, %d %b %Y %T +0000",
                    std::chrono::time_point_cast<std::chrono::seconds>(context.now)) +
       "\r\n";
  m += "Message-ID: " + message_id + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "Content-Language: " + std::string(l.lang) + "\r\n";
  m += "X-Amparo-Alert-Id: " + alert_id + "\r\n";
  m += "X-Amparo-Idempotency-Key: " + context.idempotency_key + "\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
  m += "\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += Base64Mime(text);
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += Base64Mime(html);
  m += "--" + boundary + "--\r\n";
  return m;
}

}  // namespace amparo
