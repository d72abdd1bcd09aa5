#include "daemon/delivery/retry_policy.h"

#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

namespace amparo {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

RetryPolicy NoJitter() {
  return RetryPolicy{.initial = seconds(1),
                     .max = seconds(60),
                     .multiplier = 2.0,
                     .jitter = 0.0,
                     .max_attempts_per_channel = 5};
}

TEST_CASE("NextDelay grows exponentially from initial and stops at max") {
  const RetryPolicy p = NoJitter();
  CHECK(NextDelay(1, p, 0.5) == seconds(1));
  CHECK(NextDelay(2, p, 0.5) == seconds(2));
  CHECK(NextDelay(3, p, 0.5) == seconds(4));
  CHECK(NextDelay(6, p, 0.5) == seconds(32));
  CHECK(NextDelay(7, p, 0.5) == seconds(60));  // 64 s capped
  CHECK(NextDelay(8, p, 0.5) == seconds(60));
}

TEST_CASE("NextDelay treats attempts below 1 as the first attempt") {
  const RetryPolicy p = NoJitter();
  CHECK(NextDelay(0, p, 0.5) == seconds(1));
  CHECK(NextDelay(-3, p, 0.5) == seconds(1));
}

TEST_CASE("NextDelay stays at the cap for huge attempt counts without overflow") {
  const RetryPolicy p = NoJitter();
  CHECK(NextDelay(64, p, 0.5) == seconds(60));
  CHECK(NextDelay(5000, p, 0.5) == seconds(60));
  CHECK(NextDelay(std::numeric_limits<int>::max(), p, 0.5) == seconds(60));
}

TEST_CASE("NextDelay with multiplier 1 is constant") {
  RetryPolicy p = NoJitter();
  p.multiplier = 1.0;
  for (int attempts = 1; attempts < 20; ++attempts)
    CHECK(NextDelay(attempts, p, 0.5) == seconds(1));
}

TEST_CASE("NextDelay jitter spans exactly ±jitter of the base delay") {
  RetryPolicy p = NoJitter();
  p.jitter = 0.2;
  CHECK(NextDelay(1, p, 0.0) == milliseconds(800));
  CHECK(NextDelay(1, p, 0.5) == milliseconds(1000));
  CHECK(NextDelay(1, p, 1.0) == milliseconds(1200));
  CHECK(NextDelay(3, p, 0.0) == milliseconds(3200));
  CHECK(NextDelay(3, p, 1.0) == milliseconds(4800));
  // Jitter applies after the cap, so capped delays still spread.
  CHECK(NextDelay(10, p, 0.0) == seconds(48));
  CHECK(NextDelay(10, p, 1.0) == seconds(72));
  for (int i = 0; i <= 100; ++i) {
    const double r = i / 100.0;
    const Duration d = NextDelay(2, p, r);
    CHECK(d >= milliseconds(1600));
    CHECK(d <= milliseconds(2400));
  }
}

TEST_CASE("NextDelay clamps a random number below 0 or above 1") {
  RetryPolicy p = NoJitter();
  p.jitter = 0.5;
  CHECK(NextDelay(1, p, -4.0) == milliseconds(500));
  CHECK(NextDelay(1, p, 7.0) == milliseconds(1500));
  CHECK(NextDelay(1, p, std::nan("")) == milliseconds(1000));
}

TEST_CASE("ChannelExhausted is true from max_attempts_per_channel on") {
  const RetryPolicy p = NoJitter();
  CHECK_FALSE(ChannelExhausted(0, p));
  CHECK_FALSE(ChannelExhausted(4, p));
  CHECK(ChannelExhausted(5, p));
  CHECK(ChannelExhausted(6, p));
  RetryPolicy once = p;
  once.max_attempts_per_channel = 1;
  CHECK(ChannelExhausted(1, once));
}

TEST_CASE("ValidateRetryPolicy accepts the defaults and names every bad field") {
  CHECK(ValidateRetryPolicy(RetryPolicy{}).ok());
  CHECK(ValidateRetryPolicy(NoJitter()).ok());
  RetryPolicy bad{.initial = seconds(0),
                  .max = seconds(-1),
                  .multiplier = 0.5,
                  .jitter = 1.0,
                  .max_attempts_per_channel = 0};
  Status status = ValidateRetryPolicy(bad);
  CHECK(status.code() == Status::Code::kInvalidArgument);
  for (const char* field : {"initial", "max must", "multiplier", "jitter", "max_attempts"}) {
    INFO(field);
    CHECK(status.message().find(field) != std::string::npos);
  }
  RetryPolicy negative_jitter = NoJitter();
  negative_jitter.jitter = -0.1;
  CHECK_FALSE(ValidateRetryPolicy(negative_jitter).ok());
  RetryPolicy max_below_initial = NoJitter();
  max_below_initial.max = milliseconds(999);
  CHECK_FALSE(ValidateRetryPolicy(max_below_initial).ok());
}

}  // namespace
}  // namespace amparo
