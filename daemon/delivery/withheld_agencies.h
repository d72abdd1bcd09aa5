// The agencies a child's whereabouts are withheld from, as a predicate on
// agency ids for the store (store/cancellation_store.h).
//
// Pure; the predicate keeps the directory alive and is thread-safe.
#ifndef AMPARO_DAEMON_DELIVERY_WITHHELD_AGENCIES_H_
#define AMPARO_DAEMON_DELIVERY_WITHHELD_AGENCIES_H_

#include <memory>

#include "daemon/event/event.h"
#include "daemon/routing/directory.h"
#include "daemon/store/cancellation_store.h"

namespace amparo {

// The reason recorded with each delivery a claim cancels.
inline constexpr const char* kClaimCancelsReason =
    "the child claims asylum or fears return: the state the child may be fleeing is told "
    "nothing more (CRC GC No. 6 (2005) ¶¶26–30; Re O [2021] EWHC 908 (Fam); LM art. 69-IV)";

// For `event` carrying the case's flags (FlagsAfter): a predicate true for
// each agency of `directory` that WithholdsWhereabouts (routing/disclosure.h)
// withholds the child's whereabouts from; an empty function when the child
// claims no protection (nothing is withheld). An agency the directory does
// not list is not judged (false).
WithheldAgency WithheldAgencies(const Event& event, std::shared_ptr<const Directory> directory);

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_WITHHELD_AGENCIES_H_
