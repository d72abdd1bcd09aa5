// The durable half of ingest: one MQTT payload in, one committed row out.
//
// IngestHandler decodes and validates a payload and commits it to SQLite —
// as an event, a recognised duplicate, or a dead letter with its reason —
// before returning. mqtt_ingest.cc calls it inside Paho's message callback,
// so the broker's PUBACK is sent only after the commit (DESIGN.md §1, rule 4:
// nothing lost). It knows nothing of MQTT clients, which keeps it testable
// against a real SQLite file without a broker.
//
// Thread-safety: an IngestHandler is used from one thread (Paho's callback
// thread); it owns its own store connection.
#ifndef AMPARO_DAEMON_INGEST_INGEST_HANDLER_H_
#define AMPARO_DAEMON_INGEST_INGEST_HANDLER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/core/clock.h"
#include "daemon/core/keyed_hash.h"
#include "daemon/core/status.h"
#include "daemon/event/event.h"
#include "daemon/store/event_store.h"

namespace amparo {

// What happened to one payload.
struct IngestResult {
  enum class Outcome { kStored, kDuplicate, kDeadLetter };
  Outcome outcome = Outcome::kDeadLetter;
  std::string event_id;  // empty when the payload had none we could read
  std::string reason;    // the dead letter's reason; empty otherwise
  // The levels of the receipt and dead-letter topics: each a safe topic
  // level (core/topic_segment.h) or empty, never a publisher's raw bytes.
  std::string country;
  std::string agency;
  std::string topic;  // the topic the payload arrived on
  std::string raw;    // dead letters only: the payload as received
  // kStored only: the event as decoded and validated here, so that the loop
  // need not decode its stored body again (delivery/event_cache.h).
  std::shared_ptr<const Event> event;
};

std::string_view OutcomeName(IngestResult::Outcome outcome);

// How an event's `authority` must agree with the topic it arrived on. Broker
// ACLs say who may publish on a topic, not who wrote a payload, so an event
// naming another authority than its topic's is a dead letter. There is no
// setting that turns the check off: only a stricter one.
enum class AuthorityTopicCheck {
  // The topic is rcm/v1/events/{authority.country}/{authority.agency}[/...]:
  // levels after the agency (e.g. an office) are allowed. The default.
  kMatch,
  // The topic is exactly rcm/v1/events/{authority.country}/{authority.agency}.
  kExact,
};

// "" when `authority` may arrive on `topic` under `check`; otherwise the
// dead letter's reason, naming the field that disagrees with the topic.
std::string AuthorityTopicMismatch(std::string_view topic, const Authority& authority,
                                   AuthorityTopicCheck check);

class IngestHandler {
 public:
  // `store` is used only from the calling thread. `hasher` keys the subject
  // hashes in logs. `max_payload_bytes` is the contract's limit (64 KiB).
  IngestHandler(std::unique_ptr<EventStore> store, SubjectHasher hasher, const Clock& clock,
                size_t max_payload_bytes,
                AuthorityTopicCheck authority_check = AuthorityTopicCheck::kMatch);

  // Decodes `payload` from `topic` and commits the outcome. Returns the
  // outcome once it is durable; returns a non-OK Status only when it could
  // not be stored at all — the caller must then not acknowledge the message.
  Result<IngestResult> Handle(std::string_view topic, std::string_view payload);

 private:
  Result<IngestResult> DeadLetter(std::string_view topic, std::string_view payload,
                                  std::string reason, IngestResult result, Instant now);

  std::unique_ptr<EventStore> store_;
  SubjectHasher hasher_;
  const Clock& clock_;
  size_t max_payload_bytes_;
  AuthorityTopicCheck authority_check_;
};

// The {country, authority} segments of "rcm/v1/events/{country}/{authority}",
// or empty strings when the topic has another shape or a segment is not a
// safe topic level (core/topic_segment.h).
std::pair<std::string, std::string> TopicOrigin(std::string_view topic);

}  // namespace amparo

#endif  // AMPARO_DAEMON_INGEST_INGEST_HANDLER_H_
