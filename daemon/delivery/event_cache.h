// The decoded events the loop has at hand, so that a stored event is decoded
// once: the ingest decodes and validates it in Paho's callback, commits it,
// then posts the decoded event to the loop, where it waits here for the
// pipeline, the clock watcher and the payloads built at send time. After a
// restart, or once an event has been evicted, Load decodes the stored body
// again (a miss).
//
// Bounded: at most `capacity` events, the oldest put evicted first. 1,024
// by default: a decoded event takes a few kB, and 4,096 of them were a
// quarter of amparod's resident memory (-6 MB at 512, tests/bench/README.md)
// for hits the pipeline and the payloads seldom need: they use an event
// within seconds of its arrival, and a miss costs one read and one decode.
//
// Thread-safety: loop thread only.
#ifndef AMPARO_DAEMON_DELIVERY_EVENT_CACHE_H_
#define AMPARO_DAEMON_DELIVERY_EVENT_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "daemon/core/status.h"
#include "daemon/event/event.h"
#include "daemon/store/event_store.h"

namespace amparo {

struct EventCacheCounters {
  uint64_t hits = 0;
  uint64_t misses = 0;  // decoded from the store
};

class EventCache {
 public:
  explicit EventCache(std::size_t capacity = 1024) : capacity_(capacity) {}

  // Keeps `event`, decoded from the body stored under its event_id.
  void Put(std::shared_ptr<const Event> event);
  // The event stored as `stored`: from the cache, else decoded from its body
  // (and kept). Returns the decoder's error for a body that no longer decodes.
  Result<std::shared_ptr<const Event>> Get(const StoredEvent& stored);
  // The stored event `event_id`: from the cache, else read from `events` and
  // decoded. Returns NotFound when the store has no such event.
  Result<std::shared_ptr<const Event>> Load(EventStore& events, const std::string& event_id);

  const EventCacheCounters& counters() const { return counters_; }

 private:
  std::size_t capacity_;
  std::unordered_map<std::string, std::shared_ptr<const Event>> by_id_;
  std::deque<std::string> order_;  // event ids, oldest put first
  EventCacheCounters counters_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_EVENT_CACHE_H_
