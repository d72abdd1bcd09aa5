#include "daemon/delivery/resolved_notifier.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/delivery/alert_builder.h"

namespace amparo {

namespace {
constexpr int kBatch = 100;
}  // namespace

Result<int> ResolvedNotifier::ResolveStopped() {
  if (!directory_) return Status::FailedPrecondition("resolved: no directory");
  const Instant now = clock_.Now();
  int resolved = 0;
  for (;;) {
    Result<std::vector<ResolvableAlert>> due = store_.Resolvable(kBatch);
    if (!due.ok()) return due.status();
    int progressed = 0;
    for (const ResolvableAlert& alert : *due) {
      const Agency* agency = directory_->Find(alert.agency_id);
      if (agency == nullptr || agency->channels.empty()) agency = directory_->Find(fallback_);
      if (agency == nullptr || agency->channels.empty()) {
        return Status::FailedPrecondition("resolved: no channel for " + alert.agency_id);
      }
      const Channel& primary = agency->channels.front();
      const ChannelTarget channel{std::string(kChannelTypeNames[static_cast<size_t>(primary.type)]),
                                  primary.target};
      Result<bool> done = store_.Resolve(alert, channel, now, outbox_);
      if (!done.ok()) return done.status();
      if (*done) {
        ++resolved;
        ++progressed;
        spdlog::info("resolved: alert {} of clock {} to {}", alert.alert_id, alert.clock_id,
                     alert.agency_id);
      }
    }
    if (due->size() < static_cast<size_t>(kBatch) || progressed == 0) break;
  }
  resolved_ += static_cast<uint64_t>(resolved);
  if (resolved > 0 && on_deliveries_) on_deliveries_();
  return resolved;
}

}  // namespace amparo
