#include "daemon/delivery/adapter.h"

namespace amparo {

std::string_view OutcomeName(DeliveryOutcome outcome) {
  switch (outcome) {
    case DeliveryOutcome::kDelivered:
      return "delivered";
    case DeliveryOutcome::kRetryable:
      return "retryable";
    case DeliveryOutcome::kPermanent:
      return "permanent";
  }
  return "?";
}

}  // namespace amparo
