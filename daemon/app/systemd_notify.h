// The systemd service-manager protocol (sd_notify(3)): READY, STATUS,
// WATCHDOG, RELOADING, STOPPING. Every call is a no-op when the daemon was not
// started by systemd (NOTIFY_SOCKET unset), so the same code runs in tests.
#ifndef AMPARO_DAEMON_APP_SYSTEMD_NOTIFY_H_
#define AMPARO_DAEMON_APP_SYSTEMD_NOTIFY_H_

#include <optional>
#include <string>

#include "daemon/core/clock.h"

namespace amparo {

// Sends `state` (e.g. "READY=1\nSTATUS=subscribed") to the service manager.
void NotifySystemd(const std::string& state);

// The watchdog interval systemd expects pings within, if it enabled one.
// Ping at half of it (sd_watchdog_enabled(3)).
std::optional<Duration> SystemdWatchdogInterval();

}  // namespace amparo

#endif  // AMPARO_DAEMON_APP_SYSTEMD_NOTIFY_H_
