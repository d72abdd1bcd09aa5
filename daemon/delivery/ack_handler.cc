#include "daemon/delivery/ack_handler.h"

#include <nlohmann/json.hpp>

#include "daemon/event/event.h"
#include "daemon/event/rfc3339.h"

namespace amparo {
namespace {

constexpr size_t kMaxTextBytes = 2000;
constexpr size_t kMaxKeyBytes = 128;

// The parsed body, or the refusal that explains why it cannot be.
struct Parsed {
  AckRequest request;
  std::optional<AckRefusal> refusal;
};

AckRefusal Malformed(std::string reason) { return {"malformed", std::move(reason)}; }

// Parses the ack JSON into `out.request`. `alert_id_in_body`: MQTT acks name
// the alert in the body; HTTP acks in the path (a body alert_id must agree).
void ParseBody(std::string_view body, bool alert_id_in_body, Parsed& out) {
  if (body.size() > kMaxAckBytes) {
    out.refusal = AckRefusal{"too_large", "an ack is at most " + std::to_string(kMaxAckBytes) +
                                              " bytes, got " + std::to_string(body.size())};
    return;
  }
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    out.refusal = Malformed("not valid JSON");
    return;
  }
  if (!json.is_object()) {
    out.refusal = Malformed("an ack is a JSON object");
    return;
  }
  AckRequest& r = out.request;
  for (auto it = json.begin(); it != json.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& value = it.value();
    auto text = [&](size_t max, std::string& into) {
      if (!value.is_string()) {
        out.refusal = Malformed(key + " must be a string");
      } else if (value.get_ref<const std::string&>().size() > max) {
        out.refusal = Malformed(key + " is longer than " + std::to_string(max) + " bytes");
      } else {
        into = value.get<std::string>();
      }
    };
    if (key == "alert_id") {
      std::string id;
      text(kMaxKeyBytes, id);
      if (out.refusal) return;
      if (!alert_id_in_body && id != r.alert_id) {
        out.refusal = Malformed("alert_id in the body differs from the one in the path");
        return;
      }
      r.alert_id = id;
    } else if (key == "version") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
          value.get<int64_t>() > 1'000'000) {
        out.refusal = Malformed("version must be a positive integer");
        return;
      }
      r.version = static_cast<int>(value.get<int64_t>());
    } else if (key == "idempotency_key") {
      text(kMaxKeyBytes, r.idempotency_key);
    } else if (key == "by") {
      text(kMaxTextBytes, r.by);
    } else if (key == "note") {
      text(kMaxTextBytes, r.note);
    } else if (key == "at") {
      std::string at;
      text(64, at);
      if (out.refusal) return;
      Result<Timestamp> parsed = ParseRfc3339(at);
      if (!parsed.ok()) {
        out.refusal = Malformed("at: " + parsed.status().message());
        return;
      }
      r.at = parsed->utc;
    } else {
      out.refusal = Malformed("unknown key " + key);
    }
    if (out.refusal) return;
  }
}

}  // namespace

bool IsAgencyId(std::string_view agency_id) {
  if (agency_id.empty() || agency_id.size() > 64) return false;
  for (char c : agency_id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string AckReceiptJson(const AckResult& result) {
  nlohmann::json j = {{"alert_id", result.alert_id},
                      {"status", std::string(AckOutcomeName(result.outcome))}};
  if (result.refusal) {
    j["reason_code"] = result.refusal->code;
    j["reason"] = result.refusal->reason;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<AckReceipt> AckHandler::HandleMqtt(std::string_view topic, std::string_view payload) {
  const Instant now = clock_.Now();
  const std::string_view raw = payload.substr(0, kMaxAckBytes);
  std::string_view agency;
  if (topic.starts_with(kAckTopicPrefix)) agency = topic.substr(kAckTopicPrefix.size());
  Result<AckResult> result = Status::Internal("not handled");
  if (!IsAgencyId(agency)) {
    result = store_.Refuse("mqtt", "", "",
                           Malformed("topic " + std::string(topic) + " does not name one agency"),
                           raw, now);
    agency = {};
  } else {
    Parsed parsed;
    ParseBody(payload, /*alert_id_in_body=*/true, parsed);
    parsed.request.agency_id = std::string(agency);
    parsed.request.via = "mqtt";
    if (parsed.refusal) {
      result = store_.Refuse("mqtt", agency, parsed.request.alert_id, *parsed.refusal, raw, now);
    } else {
      result = store_.Record(parsed.request, raw, now);
    }
  }
  if (!result.ok()) return result.status();
  AckReceipt receipt;
  receipt.result = std::move(result).value();
  if (!agency.empty()) receipt.topic = std::string(kAckReceiptTopicPrefix) + std::string(agency);
  receipt.payload = AckReceiptJson(receipt.result);
  return receipt;
}

Result<AckResult> AckHandler::HandleHttp(std::string_view alert_id, std::string_view agency_id,
                                         std::string_view body) {
  const Instant now = clock_.Now();
  const std::string_view raw = body.substr(0, kMaxAckBytes);
  Parsed parsed;
  parsed.request.alert_id = std::string(alert_id);
  ParseBody(body, /*alert_id_in_body=*/false, parsed);
  parsed.request.agency_id = std::string(agency_id);
  parsed.request.via = "http";
  if (parsed.refusal) {
    return store_.Refuse("http", agency_id, alert_id, *parsed.refusal, raw, now);
  }
  return store_.Record(parsed.request, raw, now);
}

}  // namespace amparo
