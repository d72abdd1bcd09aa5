// One planned alert (routing/decide.h) as a change to the store: the alert
// open for (rule, subject, agency) is updated to a new version, else a new
// alert opens with a deterministic id. Shared by the pipeline (rules) and the
// clock watcher (legal clocks). No payload is built here: each delivery's is
// built when it is sent (payload_builder.h).
#ifndef AMPARO_DAEMON_DELIVERY_ALERT_CHANGES_H_
#define AMPARO_DAEMON_DELIVERY_ALERT_CHANGES_H_

#include <string>

#include "daemon/routing/decide.h"
#include "daemon/routing/directory.h"
#include "daemon/store/alert_store.h"

namespace amparo {

// The change for `planned`, raised by event `event_id`: what the alert is
// about, the recipient's channels and its escalation target.
AlertChange MakeAlertChange(const PlannedAlert& planned, const std::string& event_id,
                            const Directory& directory);

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_ALERT_CHANGES_H_
