// The payload of one delivery, built when it is sent (DESIGN.md §6): the
// amparo.alert.v1 message for the delivery's agency, in that agency's
// language, filtered through its disclosure profile, from what the alert is
// about and the event that last raised it.
//
// Built at send time, not at commit: an escalation to another agency, a retry
// after a reload of the directory, or a child who claimed asylum since the
// alert was raised all get what the receiving agency may see NOW. The
// subject's flags are the case's as it stands when the delivery goes out
// (FlagsAfter), so a later claim withholds the child's whereabouts from every
// delivery still waiting.
//
// Thread-safety: loop thread only (it reads the loop's store connection).
#ifndef AMPARO_DAEMON_DELIVERY_PAYLOAD_BUILDER_H_
#define AMPARO_DAEMON_DELIVERY_PAYLOAD_BUILDER_H_

#include <memory>
#include <string>

#include "daemon/core/status.h"
#include "daemon/delivery/event_cache.h"
#include "daemon/engine/rule_set.h"
#include "daemon/routing/directory.h"
#include "daemon/store/event_store.h"
#include "daemon/store/outbox_store.h"
#include "daemon/store/processing_store.h"

namespace amparo {

class PayloadBuilder {
 public:
  // REQUIRES: the references outlive the builder.
  PayloadBuilder(EventStore& events, ProcessingStore& processing, EventCache& cache)
      : events_(events), processing_(processing), cache_(cache) {}

  // The rule set gives the engine options (the derived age); the directory
  // the agencies' languages and disclosure profiles. Swapped whole on reload.
  void SetRuleSet(std::shared_ptr<const RuleSet> rules) { rules_ = std::move(rules); }
  void SetDirectory(std::shared_ptr<const Directory> directory) {
    directory_ = std::move(directory);
  }

  // Builds the payload of `delivery`. Its recipient is the delivery's agency:
  // the alert's own agency in the role it was resolved for, or, for an
  // escalation, the agency escalated to (role "escalation"). An agency the
  // directory no longer lists gets ids only. Returns NotFound when the alert
  // or its event is gone, and the store's error otherwise. A duty officer's
  // payload for a child who claims protection also lists, as
  // "withheld_state_deliveries", each delivery that reached an agency the
  // child's whereabouts are now withheld from and each the claim cancelled
  // (store/cancellation_store.h).
  Result<std::string> Build(const Delivery& delivery);

 private:
  EventStore& events_;
  ProcessingStore& processing_;
  EventCache& cache_;
  std::shared_ptr<const RuleSet> rules_;
  std::shared_ptr<const Directory> directory_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_PAYLOAD_BUILDER_H_
