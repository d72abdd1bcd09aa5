#include "daemon/delivery/adapter_set.h"

#include <utility>

namespace amparo {

Status AdapterSet::Add(std::unique_ptr<Adapter> adapter) {
  if (!adapter) return Status::InvalidArgument("null adapter");
  std::string name(adapter->Name());
  if (adapters_.contains(name)) {
    return Status::AlreadyExists("two adapters for channel type '" + name + "'");
  }
  adapters_.emplace(std::move(name), std::move(adapter));
  return Status::OK();
}

Adapter* AdapterSet::Find(std::string_view channel_type) const {
  auto it = adapters_.find(channel_type);
  return it == adapters_.end() ? nullptr : it->second.get();
}

std::vector<std::string> AdapterSet::Types() const {
  std::vector<std::string> types;
  for (const auto& [name, adapter] : adapters_) types.push_back(name);
  return types;
}

}  // namespace amparo
