#include "daemon/delivery/withheld_agencies.h"

#include <algorithm>
#include <utility>

#include "daemon/routing/disclosure.h"

namespace amparo {

WithheldAgency WithheldAgencies(const Event& event, std::shared_ptr<const Directory> directory) {
  const auto& flags = event.subject.flags;
  const bool claim =
      std::find(flags.begin(), flags.end(), SubjectFlag::kAsylumClaim) != flags.end() ||
      std::find(flags.begin(), flags.end(), SubjectFlag::kFearOfReturn) != flags.end();
  if (!claim || !directory) return {};
  return [event, directory = std::move(directory)](std::string_view agency_id) {
    const Agency* agency = directory->Find(std::string(agency_id));
    if (agency == nullptr) return false;
    Recipient recipient;
    recipient.agency_id = agency->id;
    recipient.kind = agency->kind;
    recipient.country = agency->country;
    return WithholdsWhereabouts(event, recipient);
  };
}

}  // namespace amparo
