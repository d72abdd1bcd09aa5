// AdapterSet: the adapters of this build, by channel type. Built once at
// start by adapters/registry.cc; the dispatcher looks adapters up in it.
#ifndef AMPARO_DAEMON_DELIVERY_ADAPTER_SET_H_
#define AMPARO_DAEMON_DELIVERY_ADAPTER_SET_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/status.h"
#include "daemon/delivery/adapter.h"

namespace amparo {

// Thread-safety: filled before the loop runs, then only read on the loop thread.
class AdapterSet {
 public:
  // Add `adapter` under its Name(). Returns AlreadyExists if the name is taken
  // and InvalidArgument for a null adapter.
  Status Add(std::unique_ptr<Adapter> adapter);
  // Return the adapter for `channel_type`, or null if there is none.
  Adapter* Find(std::string_view channel_type) const;
  // Return the channel types present, sorted.
  std::vector<std::string> Types() const;

 private:
  std::map<std::string, std::unique_ptr<Adapter>, std::less<>> adapters_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_ADAPTER_SET_H_
