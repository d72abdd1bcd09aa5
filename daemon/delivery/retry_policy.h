// When to try a delivery again, and when to give up a channel (DESIGN.md §6).
// Pure functions: the randomness and the clock are the caller's.
#ifndef AMPARO_DAEMON_DELIVERY_RETRY_POLICY_H_
#define AMPARO_DAEMON_DELIVERY_RETRY_POLICY_H_

#include <chrono>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"

namespace amparo {

struct RetryPolicy {
  // Delay after the first failed attempt. Must be positive.
  Duration initial = std::chrono::seconds(1);
  // Longest delay before jitter. Must be >= initial.
  Duration max = std::chrono::minutes(5);
  // Growth per further failure. Must be >= 1.
  double multiplier = 2.0;
  // Each delay moves by up to ±jitter of itself, at random. Must be in [0, 1).
  double jitter = 0.2;
  // Failed attempts on one channel before the dispatcher fails over. Must be >= 1.
  int max_attempts_per_channel = 5;
};

// Return OK, or InvalidArgument naming every field out of range (never clipped).
Status ValidateRetryPolicy(const RetryPolicy& policy);

// Return the delay after `attempts` failed attempts (attempts < 1 counts as 1):
// base = min(initial × multiplier^(attempts-1), max), then
// base × (1 + jitter × (2·random01 − 1)), so within [base·(1−jitter),
// base·(1+jitter)]. random01 is clamped to [0, 1] (NaN counts as 0.5). REQUIRES: a valid policy.
Duration NextDelay(int attempts, const RetryPolicy& policy, double random01);

// Return true once `attempts` failed attempts use up a channel.
bool ChannelExhausted(int attempts, const RetryPolicy& policy);

}  // namespace amparo

#endif  // AMPARO_DAEMON_DELIVERY_RETRY_POLICY_H_
