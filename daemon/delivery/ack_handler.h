// AckHandler: acknowledgements in, stored acks (or refusals) out
// (DESIGN.md §6, issue 9).
//
// The ack wire format, the same over MQTT (rcm/v1/acks/{agency_id}) and as
// the body of POST /api/v1/alerts/{id}/ack:
//
//   {"alert_id": "…", "version": 2 | "idempotency_key": "…",
//    "by": "who took it", "note": "free text", "at": "RFC 3339"}
//
// alert_id (MQTT only; over HTTP it is in the path), by, and one of version
// or idempotency_key are required; note and at are optional; any other key
// is refused, so that a typo ("versoin") is not silently ignored.
//
// Every ack is stored before the handler returns: accepted, recognised as a
// repeat, or refused with a reason (ack_store.h). Over MQTT the handler runs
// inside Paho's message callback, so the broker's PUBACK leaves only after
// the commit; the receipt it returns is published later, from the loop, on
// rcm/v1/ack-receipts/{agency_id}.
//
// Thread-safety: one AckHandler per thread (it uses its AckStore's connection).
#ifndef AMPARO_DAEMON_DELIVERY_ACK_HANDLER_H_
#define AMPARO_DAEMON_DELIVERY_ACK_HANDLER_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/ack_store.h"

namespace amparo {

inline constexpr std::string_view kAckTopicPrefix = "rcm/v1/acks/";
inline constexpr std::string_view kAckReceiptTopicPrefix = "rcm/v1/ack-receipts/";
// Larger acks are refused (and stored, truncated to this size).
inline constexpr size_t kMaxAckBytes = size_t{16} * 1024;

// A stored ack and the receipt to publish for it.
struct AckReceipt {
  AckResult result;
  std::string topic;    // rcm/v1/ack-receipts/{agency_id}; empty if the agency is unknown.
  std::string payload;  // {"alert_id", "status", "reason_code", "reason"}
};

// True if `agency_id` is a well-formed agency id ([A-Za-z0-9_-]{1,64}).
bool IsAgencyId(std::string_view agency_id);

// The receipt JSON for `result`.
std::string AckReceiptJson(const AckResult& result);

class AckHandler {
 public:
  // REQUIRES: `store` and `clock` outlive the handler.
  AckHandler(AckStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Handle an ack published on `topic` (rcm/v1/acks/{agency_id}). A non-OK
  // status means nothing could be stored: do not acknowledge the message.
  Result<AckReceipt> HandleMqtt(std::string_view topic, std::string_view payload);
  // Handle POST /api/v1/alerts/{alert_id}/ack by `agency_id` (the bearer
  // token's agency) with JSON `body`. A non-OK status means nothing could
  // be stored.
  Result<AckResult> HandleHttp(std::string_view alert_id, std::string_view agency_id,
                               std::string_view body);

 private:
  AckStore& store_;
  const Clock& clock_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_ACK_HANDLER_H_
