#include "adapters/registry.h"

#include <algorithm>
#include <array>
#include <memory>
#include <string>

namespace amparo {
namespace {

constexpr std::array<std::string_view, 2> kChannelTypes = {"file", "mqtt"};
// In the design (DESIGN.md §6) but without an adapter yet.
constexpr std::array<std::string_view, 2> kPlannedChannelTypes = {"smtp", "webhook"};

}  // namespace

std::span<const std::string_view> SupportedChannelTypes() { return kChannelTypes; }

Status CheckChannelType(std::string_view channel_type) {
  if (std::ranges::find(kChannelTypes, channel_type) != kChannelTypes.end()) {
    return Status::OK();
  }
  const std::string type(channel_type);
  if (std::ranges::find(kPlannedChannelTypes, channel_type) != kPlannedChannelTypes.end()) {
    return Status::InvalidArgument("channel type '" + type +
                                   "' is not built yet; use mqtt or file");
  }
  return Status::InvalidArgument("unknown channel type '" + type + "'");
}

Result<AdapterSet> BuildAdapterSet(boost::asio::io_context& io, const AdapterOptions& options) {
  AdapterSet adapters;
  Result<std::unique_ptr<MqttAdapter>> mqtt = MqttAdapter::Create(io, options.mqtt);
  if (!mqtt.ok()) return mqtt.status();
  Status status = adapters.Add(std::move(mqtt).value());
  if (status.ok()) status = adapters.Add(std::make_unique<FileAdapter>(io, options.file));
  if (!status.ok()) return status;
  return adapters;
}

}  // namespace amparo
