// MQTT topic levels that amparo builds from data it did not choose: the
// country and agency of a receipt, a dead letter or an alert topic.
//
// A publisher controls these bytes. A level that holds "+", "#" or "/", a NUL,
// invalid UTF-8 or more than the broker accepts makes the broker drop the
// publishing connection (Mosquitto disconnects a client that PUBLISHes to a
// topic with a wildcard), and every later receipt is lost with it. So one rule
// decides what may stand as a level, used wherever such a topic is built.
#ifndef AMPARO_DAEMON_CORE_TOPIC_SEGMENT_H_
#define AMPARO_DAEMON_CORE_TOPIC_SEGMENT_H_

#include <cstddef>
#include <string_view>

namespace amparo {

inline constexpr std::size_t kMaxTopicSegmentBytes = 64;

// True if `segment` is 1 to kMaxTopicSegmentBytes bytes of A-Z a-z 0-9 "-"
// "_" ".": safe as one level of a topic amparo publishes to, and plain enough
// for a broker ACL pattern to match.
bool IsTopicSegment(std::string_view segment);

// What IsTopicSegment accepts, in words, for error messages.
inline constexpr std::string_view kTopicSegmentRule =
    "1 to 64 characters of A-Z a-z 0-9 - _ . (it names an MQTT topic level)";

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_TOPIC_SEGMENT_H_
