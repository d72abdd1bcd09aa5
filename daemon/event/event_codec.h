// The JSON codec of the event contract v1 (DESIGN.md §3; the publishers'
// reference is daemon/event/README.md).
//
// DecodeEvent is the one gate every payload passes: it is strict (unknown
// fields, wrong types, unknown enum values and inconsistent events are
// refused) and its reason is what the receipt and the dead letter carry.
// EncodeEvent writes the canonical form back. Thread-safety: pure functions;
// call them from any thread. None of them throws.
#ifndef AMPARO_DAEMON_EVENT_EVENT_CODEC_H_
#define AMPARO_DAEMON_EVENT_EVENT_CODEC_H_

#include <optional>
#include <string>
#include <string_view>

#include "daemon/core/status.h"
#include "daemon/event/event.h"

namespace amparo {

// Decodes and validates one payload. Returns the Event, or InvalidArgument
// whose message is the reason for refusing it, "<field.path>: <what is
// wrong>" (e.g. `subject.nickname: unknown field`), or "payload ..." for
// problems with the bytes as a whole. When a payload has several problems the
// reason names the first in this order: size, UTF-8, JSON syntax, top level
// not an object, duplicate key, schema, then missing fields, wrong types,
// unknown enum values, timestamps, codes, admin1, birth date, age,
// nationalities, unknown fields, string rules, type-specific blocks, repeats;
// document order breaks ties.
Result<Event> DecodeEvent(std::string_view bytes) noexcept;

// Returns the canonical JSON of `event`: keys in contract order, absent
// optionals and empty lists omitted, no whitespace. For every Event `e` that
// DecodeEvent returned, DecodeEvent(EncodeEvent(e)) == e. The one place an
// Event becomes JSON whole; what a recipient may see of it is written field
// by field, spelled the same way (routing/disclosure.h).
// NOLINTNEXTLINE(bugprone-exception-escape): see event_codec.cc.
std::string EncodeEvent(const Event& event) noexcept;

// Where a payload came from, as far as it can tell.
struct EventOrigin {
  std::optional<std::string> event_id;
  std::optional<std::string> country;  // authority.country
  std::optional<std::string> agency;   // authority.agency
  bool operator==(const EventOrigin&) const = default;
};

// Extracts event_id and authority.country/agency from a payload that may be
// invalid, to address its receipt or dead letter. Best effort: country is
// present only if it is an ISO 3166-1 alpha-2 shape and agency only if it is
// safe as a topic level (core/topic_segment.h); event_id only if it is a
// string of at most 128 bytes without control characters.
EventOrigin PeekOrigin(std::string_view bytes) noexcept;

}  // namespace amparo

#endif  // AMPARO_DAEMON_EVENT_EVENT_CODEC_H_
