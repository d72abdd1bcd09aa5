// The adapters this build has, in one explicit list (STYLE.md: registration is
// explicit, not dlopen), like Alertmanager's config/receiver/receiver.go.
//
// Channel types: "mqtt" and "file". "webhook" and "smtp" are named by the
// design but not built yet: a directory whose agencies use them is refused at
// load (CheckChannelType), so that no alert waits on a channel nobody sends
// on. Adding an adapter is one folder under adapters/, one entry in
// kChannelTypes and one Add() in BuildAdapterSet().
#ifndef AMPARO_ADAPTERS_REGISTRY_H_
#define AMPARO_ADAPTERS_REGISTRY_H_

#include <span>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "adapters/file/file_adapter.h"
#include "adapters/mqtt/mqtt_adapter.h"
#include "daemon/core/status.h"
#include "daemon/delivery/adapter_set.h"

namespace amparo {

// The options of every adapter.
struct AdapterOptions {
  MqttAdapterOptions mqtt;
  FileAdapterOptions file;
};

// Return the channel types this build can deliver to, sorted.
std::span<const std::string_view> SupportedChannelTypes();

// Return OK if this build can deliver to `channel_type`; InvalidArgument
// otherwise, saying whether the type is planned ("webhook", "smtp") or unknown.
Status CheckChannelType(std::string_view channel_type);

// Create every adapter on `io` and return them by channel type. The MQTT
// adapter starts connecting in the background. Returns the first adapter's
// error (InvalidArgument for bad options).
Result<AdapterSet> BuildAdapterSet(boost::asio::io_context& io, const AdapterOptions& options);

}  // namespace amparo

#endif  // AMPARO_ADAPTERS_REGISTRY_H_
