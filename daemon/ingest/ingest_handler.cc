#include "daemon/ingest/ingest_handler.h"

#include <spdlog/spdlog.h>

#include "daemon/core/topic_segment.h"
#include "daemon/event/enums.h"
#include "daemon/event/event_codec.h"

namespace amparo {

std::string_view OutcomeName(IngestResult::Outcome outcome) {
  switch (outcome) {
    case IngestResult::Outcome::kStored:
      return "stored";
    case IngestResult::Outcome::kDuplicate:
      return "duplicate";
    case IngestResult::Outcome::kDeadLetter:
      return "dead_letter";
  }
  return "?";
}

std::pair<std::string, std::string> TopicOrigin(std::string_view topic) {
  constexpr std::string_view kPrefix = "rcm/v1/events/";
  if (topic.substr(0, kPrefix.size()) != kPrefix) return {};
  std::string_view rest = topic.substr(kPrefix.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {};
  std::string_view country = rest.substr(0, slash);
  std::string_view agency = rest.substr(slash + 1);
  if (const size_t next = agency.find('/'); next != std::string_view::npos) {
    agency = agency.substr(0, next);
  }
  if (!IsTopicSegment(country) || !IsTopicSegment(agency)) return {};
  return {std::string(country), std::string(agency)};
}

std::string AuthorityTopicMismatch(std::string_view topic, const Authority& authority,
                                   AuthorityTopicCheck check) {
  const std::string expected = "rcm/v1/events/" + authority.country + "/" + authority.agency;
  const auto [country, agency] = TopicOrigin(topic);
  if (country.empty()) {
    return "topic: " + std::string(topic) +
           " does not name the authority; events are accepted on " + expected;
  }
  if (country != authority.country) {
    return "authority.country: \"" + authority.country + "\" does not match the topic " +
           std::string(topic) + " (country \"" + country + "\")";
  }
  if (agency != authority.agency) {
    return "authority.agency: \"" + authority.agency + "\" does not match the topic " +
           std::string(topic) + " (agency \"" + agency + "\")";
  }
  if (check == AuthorityTopicCheck::kExact && topic.size() != expected.size()) {
    return "topic: " + std::string(topic) +
           " has levels after the agency; events are accepted on " + expected +
           " (ingest.authority_topic: exact)";
  }
  return "";
}

IngestHandler::IngestHandler(std::unique_ptr<EventStore> store, SubjectHasher hasher,
                             const Clock& clock, size_t max_payload_bytes,
                             AuthorityTopicCheck authority_check)
    : store_(std::move(store)),
      hasher_(std::move(hasher)),
      clock_(clock),
      max_payload_bytes_(max_payload_bytes),
      authority_check_(authority_check) {}

Result<IngestResult> IngestHandler::Handle(std::string_view topic, std::string_view payload) {
  const Instant now = clock_.Now();
  IngestResult result;
  result.topic = std::string(topic);

  if (payload.size() > max_payload_bytes_) {
    return DeadLetter(topic, payload,
                      "payload is " + std::to_string(payload.size()) + " bytes; the limit is " +
                          std::to_string(max_payload_bytes_),
                      std::move(result), now);
  }
  Result<Event> event = DecodeEvent(payload);
  if (!event.ok()) {
    return DeadLetter(topic, payload, event.status().message(), std::move(result), now);
  }
  if (std::string mismatch = AuthorityTopicMismatch(topic, event->authority, authority_check_);
      !mismatch.empty()) {
    return DeadLetter(topic, payload, std::move(mismatch), std::move(result), now);
  }
  result.country = event->authority.country;
  result.agency = event->authority.agency;
  result.event_id = event->event_id;

  const std::string body = EncodeEvent(*event);
  const std::string subject_key = hasher_.Hash(event->subject.id);
  IncomingEvent incoming{event->event_id,        topic, ToString(event->type), subject_key, body,
                         event->occurred_at.utc, now};
  Result<IngestOutcome> stored = store_->InsertEvent(incoming);
  if (!stored.ok()) return stored.status();
  result.outcome = *stored == IngestOutcome::kStored ? IngestResult::Outcome::kStored
                                                     : IngestResult::Outcome::kDuplicate;
  spdlog::debug("ingest: {} event_id={} type={} subject={}", OutcomeName(result.outcome),
                result.event_id, ToString(event->type), subject_key);
  if (result.outcome == IngestResult::Outcome::kStored) {
    result.event = std::make_shared<const Event>(std::move(event).value());
  }
  return result;
}

Result<IngestResult> IngestHandler::DeadLetter(std::string_view topic, std::string_view payload,
                                               std::string reason, IngestResult result,
                                               Instant now) {
  // Address the dead letter and its receipt by the topic it came on, which
  // the broker's ACL ties to the publisher, else by the authority the payload
  // claims: a payload naming another authority must not send its receipt to
  // that authority's topic. (A stored event's authority is its topic's.)
  const EventOrigin origin = PeekOrigin(payload);
  auto [topic_country, topic_agency] = TopicOrigin(topic);
  if (!topic_country.empty()) {
    result.country = std::move(topic_country);
    result.agency = std::move(topic_agency);
  } else {
    result.country = origin.country.value_or("");
    result.agency = origin.agency.value_or("");
  }
  result.event_id = origin.event_id.value_or("");
  std::optional<std::string_view> event_id;
  if (!result.event_id.empty()) event_id = result.event_id;
  Status s = store_->InsertDeadLetter(topic, event_id, reason, payload, now);
  if (!s.ok()) return s;
  // A reason may quote a value the publisher sent (a malformed birth date, a
  // name in the wrong field), so the log gets only the field path before the
  // colon; the whole reason goes to the store and the publisher's receipt.
  spdlog::info("ingest: dead letter event_id={} topic={} field={}",
               result.event_id.empty() ? "-" : result.event_id, topic,
               reason.substr(0, reason.find(':')));
  result.outcome = IngestResult::Outcome::kDeadLetter;
  result.reason = std::move(reason);
  result.raw = std::string(payload);
  return result;
}

}  // namespace amparo
