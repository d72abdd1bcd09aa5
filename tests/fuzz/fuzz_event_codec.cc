// Fuzz target for the event codec: DecodeEvent must never crash, and every
// event it accepts must survive EncodeEvent unchanged and name an agency that
// is safe as a topic level. PeekOrigin must never crash either, and never
// return a country or agency that is unsafe in a topic.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/core/topic_segment.h"
#include "daemon/event/event_codec.h"

namespace {

bool IsSafeSegment(const std::optional<std::string>& s) { return !s || amparo::IsTopicSegment(*s); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const amparo::EventOrigin origin = amparo::PeekOrigin(bytes);
  if (!IsSafeSegment(origin.country) || !IsSafeSegment(origin.agency)) std::abort();
  if (origin.event_id && (origin.event_id->empty() || origin.event_id->size() > 128)) std::abort();
  const auto event = amparo::DecodeEvent(bytes);
  if (!event.ok()) return 0;
  if (!amparo::IsTopicSegment(event->authority.agency)) std::abort();
  const auto again = amparo::DecodeEvent(amparo::EncodeEvent(*event));
  if (!again.ok() || !(*again == *event)) std::abort();
  return 0;
}
