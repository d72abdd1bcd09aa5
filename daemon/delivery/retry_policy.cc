#include "daemon/delivery/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace amparo {

Status ValidateRetryPolicy(const RetryPolicy& policy) {
  std::string errors;
  auto check = [&errors](bool ok, const char* what) {
    if (ok) return;
    if (!errors.empty()) errors += "; ";
    errors += what;
  };
  check(policy.initial.count() > 0, "initial must be positive");
  check(policy.max >= policy.initial, "max must be >= initial");
  check(policy.multiplier >= 1.0, "multiplier must be >= 1");
  check(policy.jitter >= 0.0 && policy.jitter < 1.0, "jitter must be in [0, 1)");
  check(policy.max_attempts_per_channel >= 1, "max_attempts_per_channel must be >= 1");
  if (errors.empty()) return Status::OK();
  return Status::InvalidArgument("retry policy: " + errors);
}

Duration NextDelay(int attempts, const RetryPolicy& policy, double random01) {
  const double exponent = std::max(attempts, 1) - 1;
  const double cap = static_cast<double>(policy.max.count());
  // pow() overflows to +inf for long outages; min() brings it back to the cap.
  const double base = std::min(
      static_cast<double>(policy.initial.count()) * std::pow(policy.multiplier, exponent), cap);
  const double unit = std::isnan(random01) ? 0.5 : std::clamp(random01, 0.0, 1.0);
  const double spread = policy.jitter * (2.0 * unit - 1.0);
  return Duration(std::llround(base * (1.0 + spread)));
}

bool ChannelExhausted(int attempts, const RetryPolicy& policy) {
  return attempts >= policy.max_attempts_per_channel;
}

}  // namespace amparo
