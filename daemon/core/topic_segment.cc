#include "daemon/core/topic_segment.h"

namespace amparo {

bool IsTopicSegment(std::string_view segment) {
  if (segment.empty() || segment.size() > kMaxTopicSegmentBytes) return false;
  for (char c : segment) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace amparo
