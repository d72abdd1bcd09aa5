// Fuzz target for the event codec: DecodeEvent must never crash, and every
// event it accepts must survive EncodeEvent unchanged. PeekOrigin must never
// crash either, and never return a value that is unsafe in a topic.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/event/event_codec.h"

namespace {

bool IsSafeSegment(const std::optional<std::string>& s) {
  return !s || (!s->empty() && s->size() <= 64 && s->find_first_of("/+#", 0) == std::string::npos &&
                s->find('\0') == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const amparo::EventOrigin origin = amparo::PeekOrigin(bytes);
  if (!IsSafeSegment(origin.event_id) || !IsSafeSegment(origin.country) ||
      !IsSafeSegment(origin.agency)) {
    std::abort();
  }
  const auto event = amparo::DecodeEvent(bytes);
  if (!event.ok()) return 0;
  const auto again = amparo::DecodeEvent(amparo::EncodeEvent(*event));
  if (!again.ok() || !(*again == *event)) std::abort();
  return 0;
}
