// One recipient's alert as a change to the store: the alert open for (rule,
// subject, agency) is updated to a new version, else a new alert opens with a
// deterministic id. Shared by the pipeline (rules) and the clock watcher
// (legal clocks).
#ifndef AMPARO_DAEMON_DELIVERY_ALERT_CHANGES_H_
#define AMPARO_DAEMON_DELIVERY_ALERT_CHANGES_H_

#include <optional>
#include <string>

#include "daemon/core/status.h"
#include "daemon/delivery/alert_builder.h"
#include "daemon/routing/directory.h"
#include "daemon/routing/resolver.h"
#include "daemon/store/alert_store.h"

namespace amparo {

// Builds the change for `recipient`, its payload filtered through the
// recipient's disclosure profile. Reads the open alert from `alerts`.
Result<AlertChange> MakeAlertChange(AlertStore& alerts, const AlertSubject& about,
                                    const Recipient& recipient, const Event& event,
                                    std::optional<int> age_years, const std::string& subject_key,
                                    const Directory& directory);

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_ALERT_CHANGES_H_
