#include "adapters/registry.h"

#include <algorithm>
#include <array>
#include <memory>
#include <string>

namespace amparo {
namespace {

constexpr std::array<std::string_view, 4> kChannelTypes = {"file", "mqtt", "smtp", "webhook"};

}  // namespace

std::span<const std::string_view> SupportedChannelTypes() { return kChannelTypes; }

Status CheckChannelType(std::string_view channel_type) {
  if (std::ranges::find(kChannelTypes, channel_type) != kChannelTypes.end()) {
    return Status::OK();
  }
  return Status::InvalidArgument("unknown channel type '" + std::string(channel_type) +
                                 "'; use file, mqtt, smtp or webhook");
}

Result<AdapterSet> BuildAdapterSet(boost::asio::io_context& io, const AdapterOptions& options) {
  AdapterSet adapters;
  Result<std::unique_ptr<MqttAdapter>> mqtt = MqttAdapter::Create(io, options.mqtt);
  if (!mqtt.ok()) return mqtt.status();
  Status status = adapters.Add(std::move(mqtt).value());
  if (status.ok()) status = adapters.Add(std::make_unique<FileAdapter>(io, options.file));
  if (!status.ok()) return status;
  Result<std::unique_ptr<WebhookAdapter>> webhook = WebhookAdapter::Create(io, options.webhook);
  if (!webhook.ok()) return webhook.status();
  status = adapters.Add(std::move(webhook).value());
  if (!status.ok()) return status;
  if (options.smtp) {
    Result<std::unique_ptr<SmtpAdapter>> smtp = SmtpAdapter::Create(io, *options.smtp);
    if (!smtp.ok()) return smtp.status();
    status = adapters.Add(std::move(smtp).value());
    if (!status.ok()) return status;
  }
  return adapters;
}

}  // namespace amparo
