// One way to reach an agency, as the store and the dispatcher see it: a
// channel type and its endpoint. routing/ owns the directory's richer Channel;
// this is the part a delivery row records.
#ifndef AMPARO_DAEMON_STORE_CHANNEL_TARGET_H_
#define AMPARO_DAEMON_STORE_CHANNEL_TARGET_H_

#include <string>

namespace amparo {

struct ChannelTarget {
  std::string type;    // "mqtt", "file", later "webhook", "smtp".
  std::string target;  // Topic, path, URL or address; "" lets the adapter choose its default.
  bool operator==(const ChannelTarget&) const = default;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_STORE_CHANNEL_TARGET_H_
