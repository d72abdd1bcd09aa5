#include "daemon/app/systemd_notify.h"

#include <systemd/sd-daemon.h>

namespace amparo {

void NotifySystemd(const std::string& state) { sd_notify(0, state.c_str()); }

std::optional<Duration> SystemdWatchdogInterval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::duration_cast<Duration>(std::chrono::microseconds(usec));
}

}  // namespace amparo
