// The adapters this build has, in one explicit list (STYLE.md: registration is
// explicit, not dlopen), like Alertmanager's config/receiver/receiver.go.
//
// Channel types: "file", "mqtt", "smtp" and "webhook". The SMTP adapter needs
// a relay (the config's smtp section); without one it is not built, and the
// daemon refuses a directory that names smtp channels (daemon/app/policy.cc),
// so that no alert waits on a channel nobody sends on. Adding an adapter is
// one folder under adapters/, one entry in kChannelTypes and one Add() in
// BuildAdapterSet().
#ifndef AMPARO_ADAPTERS_REGISTRY_H_
#define AMPARO_ADAPTERS_REGISTRY_H_

#include <optional>
#include <span>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "adapters/file/file_adapter.h"
#include "adapters/mqtt/mqtt_adapter.h"
#include "adapters/smtp/smtp_adapter.h"
#include "adapters/webhook/webhook_adapter.h"
#include "daemon/core/status.h"
#include "daemon/delivery/adapter_set.h"

namespace amparo {

// The options of every adapter.
struct AdapterOptions {
  MqttAdapterOptions mqtt;
  FileAdapterOptions file;
  WebhookAdapterOptions webhook;
  // No relay configured: no SMTP adapter.
  std::optional<SmtpAdapterOptions> smtp;
};

// Return the channel types this build can deliver to, sorted.
std::span<const std::string_view> SupportedChannelTypes();

// Return OK if this build can deliver to `channel_type`; InvalidArgument
// naming the known types otherwise.
Status CheckChannelType(std::string_view channel_type);

// Create every adapter on `io` (smtp only with options.smtp) and return them
// by channel type. The MQTT adapter starts connecting in the background.
// Returns the first adapter's error (InvalidArgument for bad options).
Result<AdapterSet> BuildAdapterSet(boost::asio::io_context& io, const AdapterOptions& options);

}  // namespace amparo

#endif  // AMPARO_ADAPTERS_REGISTRY_H_
