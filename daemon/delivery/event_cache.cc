#include "daemon/delivery/event_cache.h"

#include <utility>

#include "daemon/event/event_codec.h"

namespace amparo {

void EventCache::Put(std::shared_ptr<const Event> event) {
  if (capacity_ == 0 || !event) return;
  const std::string& id = event->event_id;
  if (auto [it, inserted] = by_id_.try_emplace(id, event); !inserted) {
    it->second = std::move(event);
    return;
  }
  order_.push_back(id);
  while (order_.size() > capacity_) {
    by_id_.erase(order_.front());
    order_.pop_front();
  }
}

Result<std::shared_ptr<const Event>> EventCache::Get(const StoredEvent& stored) {
  if (auto it = by_id_.find(stored.event_id); it != by_id_.end()) {
    ++counters_.hits;
    return it->second;
  }
  ++counters_.misses;
  Result<Event> decoded = DecodeEvent(stored.body);
  if (!decoded.ok()) return decoded.status();
  auto event = std::make_shared<const Event>(std::move(decoded).value());
  Put(event);
  return event;
}

Result<std::shared_ptr<const Event>> EventCache::Load(EventStore& events,
                                                      const std::string& event_id) {
  if (auto it = by_id_.find(event_id); it != by_id_.end()) {
    ++counters_.hits;
    return it->second;
  }
  Result<std::optional<StoredEvent>> stored = events.FindEvent(event_id);
  if (!stored.ok()) return stored.status();
  if (!*stored) return Status::NotFound("no stored event " + event_id);
  return Get(**stored);
}

}  // namespace amparo
